// Package robust holds the robustness tests of stellarwork (issue 8): random
// trees run side by side on the library and on an independent reference
// model (package refmodel), fuzz targets over sequences of operations and
// over scenario files, a shutdown at every crank of every parity scenario,
// and the bad inputs that docs/ROBUSTNESS.md lists. It has no code of its
// own besides the tests.
package robust
