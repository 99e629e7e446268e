// Package parity is the scenario language of the parity traces: the
// public engine of worktest/scenario with the test works of stellar-core's
// src/work/test/WorkTests.cpp (internal/testworks) registered as work
// kinds, plus the few commands and functions their upstream checks need.
//
// Its testdata holds the 28 scenarios whose traces are, byte for byte, the
// ones recorded from stellar-core's C++ work code: each directive's output
// under it, the whole trace being their concatenation (docs/TRACES.md
// specifies the format, docs/SCENARIOS.md the language). They are checked
// by this package's tests, and nowhere else.
package parity
