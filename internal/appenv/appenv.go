// Package appenv lets package scheduler declare its App the owner of the
// basicwork.EnvCache it embeds, without that declaration being part of
// basicwork's public API: basicwork registers the function when it is
// initialised, and scheduler reaches it through Get. A user's application
// type that embeds an EnvCache is never an owner, and its works ask it for
// its transition listener on every transition. It ports nothing.
package appenv

// Own declares app, which embeds the cache c, c's owner, with listen the
// field that always holds what app's TransitionListener returns. It panics
// on a nil app or listen, on a second call for c, and once a work has been
// Init'ed with an application sharing c.
type Own[C, A, L any] func(c *C, app A, listen *L)

var registered any

// Register records own; basicwork calls it when it is initialised.
func Register[C, A, L any](own Own[C, A, L]) { registered = own }

// Get returns the function basicwork registered. scheduler calls it in a
// package-level variable's initialiser, which runs after basicwork is
// initialised since scheduler imports it.
func Get[C, A, L any]() Own[C, A, L] { return registered.(Own[C, A, L]) }
