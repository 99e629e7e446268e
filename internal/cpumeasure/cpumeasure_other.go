//go:build !unix

package cpumeasure

import (
	"errors"
	"fmt"
	"time"
)

func processCPU() (time.Duration, error) {
	return 0, fmt.Errorf("cpumeasure: no getrusage on this platform: %w", errors.ErrUnsupported)
}
