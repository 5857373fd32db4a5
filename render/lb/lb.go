// Package lb renders load balancer configurations for the Octopus nodes:
// NGINX, HAProxy, and notes for a balancer octoha cannot configure.
package lb

import (
	"errors"

	"github.com/octoha/octoha/steps"
)

var errNotYet = errors.New("the load balancer renderer is not written yet")

// Nginx renders nginx/octopus.conf.
func Nginx(a steps.Answers) ([]byte, error) { return nil, errNotYet }

// HAProxy renders haproxy/haproxy.cfg.
func HAProxy(a steps.Answers) ([]byte, error) { return nil, errNotYet }

// External renders what to configure on a balancer octoha does not write
// a configuration for.
func External(a steps.Answers) ([]byte, error) { return nil, errNotYet }
