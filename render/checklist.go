package render

import "github.com/octoha/octoha/steps"

// Checklist renders CHECKLIST.md. (Placeholder.)
func Checklist(a steps.Answers) ([]byte, error) { return nil, nil }
