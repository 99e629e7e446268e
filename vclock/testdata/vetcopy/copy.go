// Package vetcopy copies a vclock.Timer value, which go vet's copylocks
// check must report (vclock's TestVetReportsTimerCopy). It lies under
// testdata, so that ./... leaves it out.
package vetcopy

import "github.com/stellarwork/stellarwork/vclock"

// Copy copies the value of a timer.
func Copy(t *vclock.Timer) {
	c := *t
	c.Cancel()
}
