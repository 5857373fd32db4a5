package render

import "github.com/octoha/octoha/steps"

// TentacleScripts renders register-tentacle.ps1. (Placeholder.)
func TentacleScripts(a steps.Answers) ([]File, error) { return nil, nil }
