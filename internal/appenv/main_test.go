package appenv

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRegisterGet: Get returns the function registered, with its types.
func TestRegisterGet(t *testing.T) {
	type cache struct{ owner string }
	Register(Own[cache, string, int](func(c *cache, app string, _ *int) { c.owner = app }))
	var c cache
	Get[cache, string, int]()(&c, "app", new(int))
	if c.owner != "app" {
		t.Fatalf("owner %q, want the registered function to have run", c.owner)
	}
}
