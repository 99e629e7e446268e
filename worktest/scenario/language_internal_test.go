package scenario

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadDirectivesKeepsExpectedOutput(t *testing.T) {
	src := "# comment\nnew-app \\\n  jitter=high\n----\n----\nline\n\nstill expected\n----\n----\n\ncheck\nwm isAborting\n----\nexpected\n\nfinish\n----\n"
	ds, err := ReadDirectives("f", strings.NewReader(src))
	require.NoError(t, err)
	require.Len(t, ds, 3)
	require.Equal(t, "new-app", ds[0].Cmd)
	require.Equal(t, "jitter=high", ds[0].CmdArgs[0].String())
	require.Equal(t, "f:2", ds[0].Pos)
	require.Equal(t, "line\n\nstill expected\n", ds[0].Expected)
	require.Equal(t, "check", ds[1].Cmd)
	require.Equal(t, "wm isAborting", ds[1].Input)
	require.Equal(t, "expected\n", ds[1].Expected)
	require.Equal(t, "finish", ds[2].Cmd)
	require.Equal(t, "", ds[2].Expected)
	require.Equal(t, "line\n\nstill expected\nexpected\n", Expected(ds))
}

func TestSplitLabel(t *testing.T) {
	for _, tc := range []struct{ src, label, rest string }{
		{`a is b`, `a is b`, `a is b`},
		{`"my label" a is b`, `my label`, `a is b`},
		{`"with \"quotes\"" true`, `with "quotes"`, `true`},
	} {
		label, rest, _, err := splitLabel(tc.src)
		require.NoError(t, err)
		require.Equal(t, tc.label, label)
		require.Equal(t, tc.rest, rest)
	}
	_, _, _, err := splitLabel(`"open a is b`)
	require.ErrorContains(t, err, "has no end")
}
