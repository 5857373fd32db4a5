// Package lb renders load balancer configurations for the Octopus nodes:
// NGINX, HAProxy, Apache httpd, and notes for a balancer octoha cannot configure. Each
// renderer is a pure function of validated answers; the facts behind every
// line are in docs/octopus-facts.md §5 and §6.
package lb

import (
	"fmt"
	"strings"

	"github.com/octoha/octoha/steps"
)

// Nginx renders nginx/octopus.conf: a complete nginx.conf for open-source
// NGINX as Debian and Ubuntu package it.
func Nginx(a steps.Answers) ([]byte, error) {
	return fillConfig("nginx.conf", nginxFile, nginxFilling, a)
}

// HAProxy renders haproxy/haproxy.cfg: a complete configuration for
// HAProxy 2.6 or later as Debian and Ubuntu package it.
func HAProxy(a steps.Answers) ([]byte, error) {
	return fillConfig("haproxy.cfg", haproxyFile, haproxyFilling, a)
}

// Apache renders apache/octopus.conf: a site for Apache httpd 2.4.47 or
// later as Debian and Ubuntu lay it out (sites-available). It refuses the
// polling modes that need TCP passthrough, which Apache cannot do.
func Apache(a steps.Answers) ([]byte, error) {
	v, err := newView(a)
	if err != nil {
		return nil, err
	}
	if err := apachePassthrough(v); err != nil {
		return nil, err
	}
	out, err := fillConfig("apache.conf", apacheFile, apacheFilling, a)
	if err != nil {
		return nil, err
	}
	// httpd joins a line ending in \ to the next one, comments included.
	for i, l := range strings.Split(string(out), "\n") {
		if strings.HasSuffix(l, `\`) {
			return nil, fmt.Errorf("rendering the apache.conf: line %d ends in \\, which would join the next line to it", i+1)
		}
	}
	return out, nil
}

// fillConfig fills a balancer configuration file for the answers.
func fillConfig(name, file string, fill func(view) *filling, a steps.Answers) ([]byte, error) {
	v, err := newView(a)
	if err != nil {
		return nil, err
	}
	if err := v.needsCertificate(); err != nil {
		return nil, err
	}
	f := fill(v)
	if f.err != nil {
		return nil, fmt.Errorf("rendering the %s: %w", name, f.err)
	}
	out, err := splice(file, f)
	if err != nil {
		return nil, fmt.Errorf("templates/%s: %w", name, err)
	}
	return out, nil
}
