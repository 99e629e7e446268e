package process

// SplitCommandLine splits a command line into the arguments of the process
// to run, as stellar-core does: no shell is involved, and the only syntax is
// whitespace. Each maximal run of the ASCII whitespace bytes space, \t, \n,
// \v, \f and \r separates two arguments. Quotes and backslashes are ordinary
// characters, so `echo "a b"` gives the three arguments echo, "a and b".
//
// The edge cases follow the C++ split (a regex token iterator over `\s+`):
// whitespace at the start yields an empty first argument, whitespace at the
// end yields nothing, and an empty or all-whitespace line yields a single
// empty argument. The result is never empty. An empty first argument names
// no program, so such a command fails to start.
func SplitCommandLine(cmdLine string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(cmdLine); {
		if !isSpace(cmdLine[i]) {
			i++
			continue
		}
		// A separator: the text before it is an argument, empty only at the
		// very start of the line.
		parts = append(parts, cmdLine[start:i])
		for i < len(cmdLine) && isSpace(cmdLine[i]) {
			i++
		}
		start = i
	}
	// The text after the last separator is an argument unless it is empty;
	// a line with no separator at all is one argument, even when empty.
	if start < len(cmdLine) || len(parts) == 0 {
		parts = append(parts, cmdLine[start:])
	}
	return parts
}

// isSpace reports whether b is whitespace in the C locale.
func isSpace(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}
