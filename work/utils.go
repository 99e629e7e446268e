package work

import "github.com/stellarwork/stellarwork/basicwork"

// AllSuccessful reports whether every work succeeded (true for none).
func AllSuccessful(works []basicwork.Work) bool {
	for _, w := range works {
		if w.State() != basicwork.Success {
			return false
		}
	}
	return true
}

// AnyFailed reports whether a work failed.
func AnyFailed(works []basicwork.Work) bool {
	for _, w := range works {
		if w.State() == basicwork.Failure {
			return true
		}
	}
	return false
}

// AnyRunning reports whether a work reads Running.
func AnyRunning(works []basicwork.Work) bool {
	for _, w := range works {
		if w.State() == basicwork.Running {
			return true
		}
	}
	return false
}

// GetWorkStatus sums up works: Success if all succeeded, else Failure if any
// failed, else Waiting if none reads Running, else Running.
func GetWorkStatus(works []basicwork.Work) basicwork.State {
	switch {
	case AllSuccessful(works):
		return basicwork.Success
	case AnyFailed(works):
		return basicwork.Failure
	case !AnyRunning(works):
		return basicwork.Waiting
	}
	return basicwork.Running
}
