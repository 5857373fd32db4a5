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
			WithDerived(func(*steps.Answers) string { return "1433, or the SQL Browser for a named instance" }).
			WithExplain(func(*steps.Answers) string {
				return `SQL Server's TCP port. Empty: 1433, or for host\INSTANCE the port the SQL Browser gives. Set it for an instance on a fixed port.`
			}),
		form.Text("database.name", "Database name", func(a *steps.Answers) *string { return &d(a).Name }).
			WithExplain(func(*steps.Answers) string {
				return "The one database the cluster shares; every node connects to this name."
			}),
		form.Choice("database.auth", "Authentication", []string{steps.AuthWindows, steps.AuthSQL}, func(a *steps.Answers) *string { return &d(a).Auth }).
			WithExplain(func(a *steps.Answers) string {
				if a.Database.Auth == steps.AuthSQL {
					return "The nodes log in with a SQL login; its password is asked for when the scripts run."
				}
				return "The nodes connect as the Octopus service account (or, as Local System, as each node's computer account)."
			}),
	}
	if a.Database.Auth == steps.AuthSQL || a.Database.User != "" {
		fields = append(fields, form.Text("database.user", "SQL login", func(a *steps.Answers) *string { return &d(a).User }).
			WithExplain(func(*steps.Answers) string {
				return "The SQL login every node connects as. Its password is asked for when the scripts run, never saved."
			}))
	}
	fields = append(fields,
		form.Confirm("database.encrypt", "Encrypt connection", func(a *steps.Answers) *bool { return &d(a).Encrypt }).
			WithExplain(func(*steps.Answers) string {
				return "Yes encrypts everything the nodes send SQL Server (Encrypt=True); it needs a certificate on the SQL Server. No encrypts only the login."
			}),
		form.Confirm("database.trustServerCertificate", "Trust server cert", func(a *steps.Answers) *bool { return &d(a).TrustServerCertificate }).
			WithExplain(func(*steps.Answers) string {
				return "Yes skips checking the SQL Server's certificate. Fine in a lab; outside one, install its CA on the nodes instead."
			}),
		form.Confirm("database.multiSubnetFailover", "Multi-subnet failover", func(a *steps.Answers) *bool { return &d(a).MultiSubnetFailover }).
			WithExplain(func(*steps.Answers) string {
				return "Yes for an AlwaysOn availability group listener whose replicas are in different subnets (MultiSubnetFailover=True)."
			}),
		form.Confirm("database.create", "Create the database", func(a *steps.Answers) *bool { return &d(a).Create }).
			WithExplain(func(*steps.Answers) string {
				return "Yes: the first node creates it. No: a DBA made it already (any _CI_ collation, the login as db_owner)."
			}),
	)
	return rowsOf(fields...)
}
