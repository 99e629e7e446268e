//go:build !linux

package process

import "errors"

// waitExited is only implemented on Linux. Elsewhere the manager reaps the
// process without first waiting for it to become a zombie, and a signal to
// its group may race with the reap (see Manager).
func waitExited(int) error { return errors.ErrUnsupported }
