package tui

import (
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/tui/form"
)

var databaseStep = step{
	name:   "Database",
	title:  "SQL Server database",
	intro:  "The one database every node shares. Passwords are asked for by the scripts, never saved.",
	owns:   []string{"database."},
	fields: databaseFields,
}

func databaseFields(a *steps.Answers) [][]field {
	d := func(a *steps.Answers) *steps.Database { return &a.Database }
	fields := []field{
		form.Text("database.server", "SQL Server", func(a *steps.Answers) *string { return &d(a).Server }).
			WithExplain(func(*steps.Answers) string {
				return `A host name, an AlwaysOn listener, or host\INSTANCE. With an AlwaysOn listener, turn on multi-subnet failover below.`
			}),
		form.Number("database.port", "Port", func(a *steps.Answers) *int { return &d(a).Port }).
			WithDerived(func(*steps.Answers) string { return "1433, or the SQL Browser for a named instance" }),
		form.Text("database.name", "Database name", func(a *steps.Answers) *string { return &d(a).Name }),
		form.Choice("database.auth", "Authentication", []string{steps.AuthWindows, steps.AuthSQL}, func(a *steps.Answers) *string { return &d(a).Auth }).
			WithExplain(func(a *steps.Answers) string {
				if a.Database.Auth == steps.AuthSQL {
					return "The nodes log in with a SQL login; its password is asked for when the scripts run."
				}
				return "The nodes connect as the Octopus service account (or, as Local System, as each node's computer account)."
			}),
	}
	if a.Database.Auth == steps.AuthSQL || a.Database.User != "" {
		fields = append(fields, form.Text("database.user", "SQL login", func(a *steps.Answers) *string { return &d(a).User }))
	}
	fields = append(fields,
		form.Confirm("database.encrypt", "Encrypt connection", func(a *steps.Answers) *bool { return &d(a).Encrypt }),
		form.Confirm("database.trustServerCertificate", "Trust server cert", func(a *steps.Answers) *bool { return &d(a).TrustServerCertificate }).
			WithExplain(func(*steps.Answers) string {
				return "Yes skips checking the SQL Server's certificate. Fine in a lab; outside one, install its CA on the nodes instead."
			}),
		form.Confirm("database.multiSubnetFailover", "Multi-subnet failover", func(a *steps.Answers) *bool { return &d(a).MultiSubnetFailover }),
		form.Confirm("database.create", "Create the database", func(a *steps.Answers) *bool { return &d(a).Create }).
			WithExplain(func(*steps.Answers) string {
				return "Yes: the first node creates it. No: a DBA made it already (any _CI_ collation, the login as db_owner)."
			}),
	)
	return rowsOf(fields...)
}
