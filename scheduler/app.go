// Package scheduler holds the root of every work tree, WorkScheduler, and
// App, the concrete application a program builds around a clock.
package scheduler

import (
	"fmt"

	"go.uber.org/zap"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/vclock"
)

// App is the concrete basicwork.Application: a clock, a config, the Work
// logger, the jitter source, and the WorkScheduler built with it. It is the
// part of stellar-core's Application that the work code uses.
type App struct {
	clock  *vclock.Clock
	config basicwork.Config
	logger *zap.Logger
	rand   basicwork.Rand
	ws     *WorkScheduler
	listen basicwork.TransitionListener
}

// Option configures an App.
type Option func(*App)

// WithConfig sets the configuration. MaxConcurrentSubprocesses must be at
// least 1.
func WithConfig(c basicwork.Config) Option { return func(a *App) { a.config = c } }

// WithLogger sets the Work logger. The default discards everything.
func WithLogger(l *zap.Logger) Option { return func(a *App) { a.logger = l } }

// WithRand sets the source of retry jitter. The default is seeded with 0,
// so that runs repeat.
func WithRand(r basicwork.Rand) Option { return func(a *App) { a.rand = r } }

// NewApp builds an application on clock and creates its WorkScheduler,
// which starts, runs once and waits for work. It panics on a nil clock, a
// nil option value or a MaxConcurrentSubprocesses below 1.
func NewApp(clock *vclock.Clock, opts ...Option) *App {
	if clock == nil {
		panic("scheduler: NewApp with a nil clock")
	}
	a := &App{
		clock:  clock,
		config: basicwork.DefaultConfig(),
		logger: zap.NewNop(),
		rand:   basicwork.NewRand(0),
	}
	for _, o := range opts {
		o(a)
	}
	if a.logger == nil || a.rand == nil {
		panic("scheduler: NewApp with a nil logger or rand")
	}
	if a.config.MaxConcurrentSubprocesses < 1 {
		panic(fmt.Sprintf("scheduler: MaxConcurrentSubprocesses must be at least 1, not %d", a.config.MaxConcurrentSubprocesses))
	}
	a.ws = newWorkScheduler(a)
	return a
}

// Clock returns the application's clock.
func (a *App) Clock() *vclock.Clock { return a.clock }

// PostOnMainThread queues f on the clock; safe from any goroutine.
func (a *App) PostOnMainThread(f func(), name string, typ vclock.ActionType) {
	a.clock.PostAction(f, name, typ)
}

// Config returns the configuration.
func (a *App) Config() *basicwork.Config { return &a.config }

// Logger returns the Work logger.
func (a *App) Logger() *zap.Logger { return a.logger }

// Rand returns the jitter source.
func (a *App) Rand() basicwork.Rand { return a.rand }

// TransitionListener returns the listener set with SetTransitionListener.
func (a *App) TransitionListener() basicwork.TransitionListener { return a.listen }

// SetTransitionListener makes l receive every state change of every work
// of the application, on the crank goroutine; nil removes it.
func (a *App) SetTransitionListener(l basicwork.TransitionListener) { a.listen = l }

// WithTransitionListener sets the transition listener from the start, so
// that it also sees the WorkScheduler's first transitions.
func WithTransitionListener(l basicwork.TransitionListener) Option {
	return func(a *App) { a.listen = l }
}

// WorkScheduler returns the application's root work.
func (a *App) WorkScheduler() *WorkScheduler { return a.ws }
