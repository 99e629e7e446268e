package vclock_test

import (
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/vclock"
)

func newRealWithMock() (*vclock.Clock, *clock.Mock) {
	mock := clock.NewMock()
	return vclock.New(vclock.RealTime, vclock.WithWallClock(mock)), mock
}

func TestRealTimeTimerFiresWhenMockAdvances(t *testing.T) {
	c, mock := newRealWithMock()
	require.Equal(t, mock.Now(), c.Now())
	require.Zero(t, c.Elapsed())

	var got []error
	arm(c, time.Second, &got)

	// Real time does not jump: until the mock reaches the expiry, a crank
	// finds nothing.
	require.Equal(t, 0, c.Crank(false))
	mock.Add(999 * time.Millisecond)
	require.Equal(t, 0, c.Crank(false))
	require.Empty(t, got)

	// At the expiry, the crank's first step fires it.
	mock.Add(time.Millisecond)
	require.Equal(t, 1, c.Crank(false))
	require.Equal(t, []error{nil}, got)
	require.Equal(t, time.Second, c.Elapsed())
	require.Equal(t, 0, c.Crank(false))
}

func TestRealTimeShouldYield(t *testing.T) {
	c, mock := newRealWithMock()
	var yields []bool
	c.PostAction(func() {
		yields = append(yields, c.ShouldYield()) // no time has passed
		mock.Add(500 * time.Millisecond)
		yields = append(yields, c.ShouldYield()) // exactly the slice: not over it
		mock.Add(999 * time.Microsecond)
		yields = append(yields, c.ShouldYield()) // 500.999 ms counts as 500 whole ms
		mock.Add(time.Microsecond)
		yields = append(yields, c.ShouldYield()) // 501 ms
	}, "a", vclock.NormalAction)
	require.Equal(t, 2, c.Crank(false))
	require.Equal(t, 1, c.Crank(false))
	require.Equal(t, []bool{false, false, false, true}, yields)

	// In virtual time it is always true.
	require.True(t, newVirtual().ShouldYield())
}

func TestRealTimeActionSlice(t *testing.T) {
	// The 500 ms limit of the action step is measured on the mock.
	c, mock := newRealWithMock()
	ran := 0
	for range 3 {
		c.PostAction(func() {
			ran++
			mock.Add(300 * time.Millisecond)
		}, "slow", vclock.NormalAction)
	}
	require.Equal(t, 4, c.Crank(false)) // one wake-up, three moved
	// Runs at 0 (to 300) and at 300 (to 600), then stops.
	require.Equal(t, 2, c.Crank(false))
	require.Equal(t, 2, ran)
	require.Equal(t, 1, c.Crank(false))
	require.Equal(t, 3, ran)
}
