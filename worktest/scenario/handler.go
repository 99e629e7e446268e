package scenario

import (
	"errors"
	"fmt"

	"github.com/cockroachdb/datadriven"
)

// Handle runs one directive of a scenario file and returns its output:
// the lines it wrote into the trace (new-app the scheduler's start, a crank
// its crank and status lines, a check its check line, finish the final
// states). The outputs of all directives, joined, are the whole trace. An
// error means the scenario itself is wrong; a check that does not hold is
// not an error: it writes FAILED.
func (e *Env) Handle(d *datadriven.TestData) (string, error) {
	before := len(e.Trace())
	c, err := e.lang.commandFromDirective(d)
	if err == nil {
		err = e.exec(c)
	}
	if err != nil {
		return "", fmt.Errorf("%s: %s: %w", d.Pos, d.Cmd, err)
	}
	return e.Trace()[before:], nil
}

// exec runs one command: the dispatcher of the language, one handler per
// built-in command in handler_<command>.go, then the registered ones.
func (e *Env) exec(c *command) error {
	switch {
	case e.finished:
		return errors.New("the scenario is finished")
	case e.r == nil && c.name != "new-app":
		return errors.New("a scenario starts with new-app")
	case e.r != nil && c.name == "new-app":
		return errors.New("new-app comes once, first")
	}
	if !keepsLive[c.name] {
		e.live = nil
	}
	var err error
	switch c.name {
	case "new-app":
		err = e.handleNewApp(c)
	case "schedule":
		err = e.handleSchedule(c)
	case "standalone":
		err = e.handleStandalone(c)
	case "add-child":
		err = e.handleAddChild(c)
	case "execute":
		err = e.handleExecute(c)
	case "crank":
		err = e.handleCrank(c)
	case "crank-while", "crank-until":
		err = e.handleCrankWhile(c)
	case "while":
		err = e.handleWhile(c)
	case "if":
		err = e.handleIf(c)
	case "check":
		err = e.handleCheck(c)
	case "note":
		err = e.handleNote(c)
	case "shutdown":
		err = e.handleShutdown(c)
	case "live":
		err = e.handleLive(c)
	case "finish":
		err = e.handleFinish(c)
	default:
		run, ok := e.lang.commands[c.name]
		if !ok {
			return fmt.Errorf("%s is not a command here", c.name)
		}
		err = run(e, c.args)
	}
	if err == nil {
		err = e.takeAsyncErr()
	}
	return err
}

// keepsLive lists the commands that cannot free a work: the counts of live
// works stay valid across them.
var keepsLive = map[string]bool{"live": true, "check": true, "note": true}

// execBlock runs the statements of a block in order.
func (e *Env) execBlock(body []*command) error {
	for _, c := range body {
		if err := e.exec(c); err != nil {
			return fmt.Errorf("%s: %s: %w", c.pos, c.name, err)
		}
	}
	return nil
}

// names returns the names a list-form command gives, one per argument,
// without values.
func (c *command) names() ([]string, error) {
	items, err := c.items()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, args := range items {
		for _, a := range args {
			if len(a.Vals) > 0 {
				return nil, fmt.Errorf("%s takes names, not %s", c.name, a)
			}
			out = append(out, a.Key)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s needs at least one name", c.name)
	}
	return out, nil
}

// noArgs fails if the command was given arguments.
func (c *command) noArgs() error {
	if len(c.args) > 0 {
		return fmt.Errorf("%s takes no arguments", c.name)
	}
	return nil
}

// oneName returns the single name argument of a command.
func (c *command) oneName() (string, error) {
	if len(c.args) != 1 || len(c.args[0].Vals) > 0 {
		return "", fmt.Errorf("%s takes one work name", c.name)
	}
	return c.args[0].Key, nil
}
