package tui

import (
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/tui/form"
)

var storageStep = step{
	name:   "Storage",
	title:  "Shared storage",
	intro:  "Folders every node reads and writes: task logs, artifacts, packages. A UNC share such as \\\\fs01\\Octopus.",
	owns:   []string{"storage."},
	fields: storageFields,
}

func storageFields(a *steps.Answers) [][]field {
	s := func(a *steps.Answers) *steps.Storage { return &a.Storage }
	under := func(name string) func(a *steps.Answers) string {
		return func(a *steps.Answers) string { return steps.JoinWindowsPath(a.Storage.Root, name) }
	}
	return rowsOf(
		form.Text("storage.root", "Shared root", func(a *steps.Answers) *string { return &s(a).Root }).
			WithExplain(func(*steps.Answers) string {
				return "Passed to every node as path --clusterShared. Use a UNC path: a mapped drive belongs to one user and the Octopus service may not see it."
			}),
		form.Text("storage.artifacts", "Artifacts", func(a *steps.Answers) *string { return &s(a).Artifacts }).WithDerived(under("Artifacts")).
			WithExplain(subfolder("deployment artifacts", "--artifacts")),
		form.Text("storage.taskLogs", "Task logs", func(a *steps.Answers) *string { return &s(a).TaskLogs }).WithDerived(under("TaskLogs")).
			WithExplain(subfolder("task logs", "--taskLogs")),
		form.Text("storage.packages", "Packages", func(a *steps.Answers) *string { return &s(a).Packages }).WithDerived(under("Packages")).
			WithExplain(subfolder("the built-in package repository", "--nugetRepository")),
		form.Text("storage.imports", "Imports", func(a *steps.Answers) *string { return &s(a).Imports }).WithDerived(under("Imports")).
			WithExplain(subfolder("imported project zip files", "--imports")),
		form.Text("storage.eventExports", "Event exports", func(a *steps.Answers) *string { return &s(a).EventExports }).WithDerived(under("EventExports")).
			WithExplain(subfolder("archived audit-event exports", "--eventExports")),
	)
}

// subfolder is the hint of a shared folder under the root: what it holds
// and its path option (docs/octopus-facts.md, the path command).
func subfolder(what, option string) func(a *steps.Answers) string {
	return func(*steps.Answers) string {
		return "Where every node keeps " + what + " (path " + option + "). Empty puts it under the shared root."
	}
}
