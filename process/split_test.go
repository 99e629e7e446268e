package process

import (
	"slices"
	"testing"
)

// TestSplitCommandLine checks the splitter against the output of the C++
// split function (std::sregex_token_iterator over "\\s+" with -1), recorded
// by compiling it with g++/libstdc++ and running it on the same inputs.
func TestSplitCommandLine(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", []string{""}},
		{" ", []string{""}},
		{"   ", []string{""}},
		{"\t", []string{""}},
		{"date", []string{"date"}},
		{"a b", []string{"a", "b"}},
		{"a  b", []string{"a", "b"}},
		{" a", []string{"", "a"}},
		{"a ", []string{"a"}},
		{"  a  b  ", []string{"", "a", "b"}},
		{"a\tb\nc", []string{"a", "b", "c"}},
		{"a\vb\fc\rd", []string{"a", "b", "c", "d"}},
		// No quoting and no escapes: quotes and backslashes are ordinary.
		{`echo "hello world"`, []string{"echo", `"hello`, `world"`}},
		{`echo 'a b'`, []string{"echo", `'a`, `b'`}},
		{`a\ b`, []string{`a\`, "b"}},
		// Only ASCII whitespace separates: a UTF-8 no-break space does not.
		{"x\u00a0y", []string{"x\u00a0y"}},
		{"gzip -d /tmp/file.gz", []string{"gzip", "-d", "/tmp/file.gz"}},
	}
	for _, tt := range tests {
		got := SplitCommandLine(tt.in)
		if !slices.Equal(got, tt.want) {
			t.Errorf("SplitCommandLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
