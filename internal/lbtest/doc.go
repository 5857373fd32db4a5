// Package lbtest runs real load balancers against fake Octopus nodes for
// tests: NGINX, HAProxy and Apache httpd started on an emitted configuration, with its
// listen ports moved to free loopback ports, inside a private mount
// namespace that gives them their own /etc/hosts and log, temp and socket
// folders. Nothing outside the test's temp folders is touched.
//
// Tests that need a tool call Require..., which skips when it is missing
// unless the CI environment variable is set, when it fails instead, so CI
// never skips silently.
package lbtest
