// Package render turns answers into the files an admin runs: PowerShell
// scripts for the nodes and tentacles, the load balancer's configuration,
// and a checklist. Every function here is a pure function of the answers;
// WriteFiles is the one place that touches the disk.
package render

import (
	"github.com/octoha/octoha/steps"
)

// File is one emitted file. Path is relative to the output folder and uses
// forward slashes.
type File struct {
	Path    string
	Content []byte
}

// All renders every file for a cluster, in the order the admin uses them.
// The answers must have passed validation; All does not re-check them.
func All(a steps.Answers) ([]File, error) {
	var files []File
	for _, gen := range []func(steps.Answers) ([]File, error){
		NodeScripts,
		TentacleScripts,
		LoadBalancerFiles,
		Checklist,
	} {
		fs, err := gen(a)
		if err != nil {
			return nil, err
		}
		files = append(files, fs...)
	}
	return files, nil
}
