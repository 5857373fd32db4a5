// Package testkit is the support every octoha test package shares: the
// example answers files, loopback listeners (free, open and hung ports),
// golden-file comparison behind one -update flag, self-signed
// certificates, finding matchers and the layout every emitted PowerShell
// script follows.
//
// It is for test files only: no package of the module imports it outside
// its _test.go files, and it imports nothing of octoha but steps, so that
// any test may use it (internal/archtest holds both rules).
package testkit
