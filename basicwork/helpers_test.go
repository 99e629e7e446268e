package basicwork_test

import (
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/vclock"
)

// testApp is the smallest basicwork.Application: a virtual clock, a logger
// that keeps every line at every level (TRACE included), and a chosen
// jitter source.
type testApp struct {
	clock  *vclock.Clock
	config basicwork.Config
	logger *zap.Logger
	rand   basicwork.Rand
	listen basicwork.TransitionListener
}

func (a *testApp) Clock() *vclock.Clock { return a.clock }
func (a *testApp) PostOnMainThread(f func(), name string, typ vclock.ActionType) {
	a.clock.PostAction(f, name, typ)
}
func (a *testApp) Config() *basicwork.Config { return &a.config }
func (a *testApp) Logger() *zap.Logger       { return a.logger }
func (a *testApp) Rand() basicwork.Rand      { return a.rand }
func (a *testApp) TransitionListener() basicwork.TransitionListener {
	return a.listen
}

// newTestApp returns an app on a fresh virtual clock, and the lines its
// logger has written. rand nil means basicwork.LowerBound{}.
func newTestApp(t testing.TB, rand basicwork.Rand) (*testApp, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(basicwork.TraceLevel)
	if rand == nil {
		rand = basicwork.LowerBound{}
	}
	app := &testApp{
		clock:  vclock.New(vclock.VirtualTime),
		config: basicwork.DefaultConfig(),
		logger: zap.New(core),
		rand:   rand,
	}
	return app, logs
}

// probe is a work whose every OnRun runs the next step of a script, so a
// test decides, call by call, what the work does and which state it asks
// for. OnAbort completes at once.
type probe struct {
	basicwork.BasicWork
	script []func(p *probe) basicwork.State
	runs   int
}

func newProbe(app basicwork.Application, name string, retries int) *probe {
	p := &probe{}
	p.Init(app, name, retries, p)
	return p
}

// then appends steps to the script.
func (p *probe) then(steps ...func(p *probe) basicwork.State) *probe {
	p.script = append(p.script, steps...)
	return p
}

func (p *probe) OnRun() basicwork.State {
	p.runs++
	if len(p.script) == 0 {
		panic("probe " + p.Name() + ": OnRun with nothing left in its script")
	}
	step := p.script[0]
	p.script = p.script[1:]
	return step(p)
}

func (p *probe) OnAbort() bool { return true }

// returns is a script step that only asks for s.
func returns(s basicwork.State) func(*probe) basicwork.State {
	return func(*probe) basicwork.State { return s }
}

// crankAs cranks p once with a script step that asks for s.
func (p *probe) crankAs(s basicwork.State) {
	p.then(returns(s))
	p.CrankWork()
}

// recovered runs f and returns what it panicked with, or nil.
func recovered(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}
