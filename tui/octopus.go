package tui

import (
	"fmt"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/tui/form"
)

// The Octopus step comes first, before Database: the version it asks for
// decides what later steps may offer (session persistence, Redis polling,
// the shared folders), and the service account changes the database advice.
// These answers are the cluster's, not the database's, so they get their own
// screen instead of crowding the Database one.
var octopusStep = step{
	name:   "Octopus",
	title:  "Octopus Server",
	intro:  "What every node shares: the version, the Windows service and the first administrator.",
	owns:   []string{"octopus."},
	fields: octopusFields,
}

func octopusFields(a *steps.Answers) [][]field {
	o := func(a *steps.Answers) *steps.Octopus { return &a.Octopus }
	version := form.NewInput("octopus.version", "Octopus version",
		func(a *steps.Answers) string { return string(a.Octopus.Version) },
		func(a *steps.Answers, v string) error { a.Octopus.Version = steps.VersionText(v); return nil },
	).WithExplain(func(*steps.Answers) string {
		return "The version every node will run, e.g. " + string(steps.DefaultOctopusVersion) + ". All nodes of a cluster must run the same build."
	})
	return rowsOf(
		version,
		form.Text("octopus.instance", "Instance name", func(a *steps.Answers) *string { return &o(a).Instance }).
			WithExplain(func(a *steps.Answers) string {
				return "The Windows service will be called " + a.ServiceName() + "."
			}),
		form.Text("octopus.serviceAccount", "Service account", func(a *steps.Answers) *string { return &o(a).ServiceAccount }).
			WithDerived(func(*steps.Answers) string { return "Local System" }).
			WithExplain(func(*steps.Answers) string {
				return `DOMAIN\user, or a gMSA ending in $. Empty runs the service as Local System, and each node then reaches SQL Server and the share as its computer account (DOMAIN\NODE$).`
			}),
		form.Text("octopus.adminUsername", "Admin user name", func(a *steps.Answers) *string { return &o(a).AdminUsername }).
			WithExplain(func(*steps.Answers) string {
				return "The first administrator, created once by the first node. Its password is asked for when the script runs, never saved."
			}),
		form.Text("octopus.adminEmail", "Admin email", func(a *steps.Answers) *string { return &o(a).AdminEmail }).
			WithExplain(func(*steps.Answers) string {
				return "The first administrator's email address (admin --email). Optional: empty leaves it unset."
			}),
		form.Number("octopus.webPort", "Web port", func(a *steps.Answers) *int { return &o(a).WebPort }).
			WithExplain(func(*steps.Answers) string {
				return "The HTTP port each node serves the web portal and API on; the load balancer forwards to it."
			}),
		form.Number("octopus.commsPort", "Comms port", func(a *steps.Answers) *int { return &o(a).CommsPort }).
			WithExplain(func(*steps.Answers) string {
				return fmt.Sprintf("The port polling tentacles connect to (%d by default). Unique-port polling replaces it with one port per node.", steps.DefaultCommsPort)
			}),
		form.Text("octopus.installDir", "Install folder", func(a *steps.Answers) *string { return &o(a).InstallDir }).
			WithExplain(func(*steps.Answers) string {
				return "Where Octopus Server is installed on each node; the scripts run Octopus.Server.exe from here."
			}),
		form.Text("octopus.homeDir", "Home folder", func(a *steps.Answers) *string { return &o(a).HomeDir }).
			WithExplain(func(*steps.Answers) string {
				return "Local to each node and never shared; the shared folders come in the Shared storage step."
			}),
		form.Number("octopus.taskCap", "Task cap per node", func(a *steps.Answers) *int { return &o(a).TaskCap }).
			WithDerived(func(*steps.Answers) string { return "5 (Octopus default)" }).
			WithExplain(func(*steps.Answers) string {
				return "How many tasks (deployments, runbooks) each node runs at once (node --taskCap). Empty keeps Octopus's default."
			}),
	)
}

// rowsOf lays fields out one per row.
func rowsOf(fields ...field) [][]field {
	rows := make([][]field, len(fields))
	for i, f := range fields {
		rows[i] = []field{f}
	}
	return rows
}
