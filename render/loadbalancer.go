package render

import "github.com/octoha/octoha/steps"

// LoadBalancerFiles renders the balancer's configuration for the kind the
// answers chose. (Placeholder.)
func LoadBalancerFiles(a steps.Answers) ([]File, error) { return nil, nil }
