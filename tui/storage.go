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
		form.Text("storage.artifacts", "Artifacts", func(a *steps.Answers) *string { return &s(a).Artifacts }).WithDerived(under("Artifacts")),
		form.Text("storage.taskLogs", "Task logs", func(a *steps.Answers) *string { return &s(a).TaskLogs }).WithDerived(under("TaskLogs")),
		form.Text("storage.packages", "Packages", func(a *steps.Answers) *string { return &s(a).Packages }).WithDerived(under("Packages")),
		form.Text("storage.imports", "Imports", func(a *steps.Answers) *string { return &s(a).Imports }).WithDerived(under("Imports")),
		form.Text("storage.eventExports", "Event exports", func(a *steps.Answers) *string { return &s(a).EventExports }).WithDerived(under("EventExports")),
	)
}
