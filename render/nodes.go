package render

import "github.com/octoha/octoha/steps"

// NodeScripts renders install-first-node.ps1 and one join script per
// joining node. (Placeholder until the PowerShell renderer lands.)
func NodeScripts(a steps.Answers) ([]File, error) { return nil, nil }
