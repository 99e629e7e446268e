// Package cpumeasure reads how much CPU time the current process has used,
// so that tests can check that an idle loop does not spin.
package cpumeasure

import "time"

// Process returns the CPU time the whole process (every thread) has used so
// far: user plus system time, as getrusage(RUSAGE_SELF) reports it. On a
// platform without getrusage it returns an error wrapping
// errors.ErrUnsupported.
func Process() (time.Duration, error) { return processCPU() }
