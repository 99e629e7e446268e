// Package testworks holds the works of stellar-core's work tests
// (TestBasicWork, TestWaitingWork, TestWork, the batch works) and the few
// more that the scenario language offers, ported so that the Go tests and
// the parity scenarios drive the same behaviour as the C++ tests.
package testworks
