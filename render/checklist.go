package render

import "github.com/octoha/octoha/steps"

// Checklist renders CHECKLIST.md. (Placeholder.)
func Checklist(a steps.Answers) ([]File, error) { return nil, nil }
