package tui

import "github.com/octoha/octoha/steps"

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
		textField("database.server", "SQL Server", func(a *steps.Answers) *string { return &d(a).Server }).
			withExplain(func(*steps.Answers) string {
				return `A host name, an AlwaysOn listener, or host\INSTANCE. With an AlwaysOn listener, turn on multi-subnet failover below.`
			}),
		numberField("database.port", "Port", func(a *steps.Answers) *int { return &d(a).Port }).
			withDerived(func(*steps.Answers) string { return "1433, or the SQL Browser for a named instance" }),
		textField("database.name", "Database name", func(a *steps.Answers) *string { return &d(a).Name }),
		choiceField("database.auth", "Authentication", []string{steps.AuthWindows, steps.AuthSQL}, func(a *steps.Answers) *string { return &d(a).Auth }).
			withExplain(func(a *steps.Answers) string {
				if a.Database.Auth == steps.AuthSQL {
					return "The nodes log in with a SQL login; its password is asked for when the scripts run."
				}
				return "The nodes connect as the Octopus service account (or, as Local System, as each node's computer account)."
			}),
	}
	if a.Database.Auth == steps.AuthSQL || a.Database.User != "" {
		fields = append(fields, textField("database.user", "SQL login", func(a *steps.Answers) *string { return &d(a).User }))
	}
	fields = append(fields,
		yesNoField("database.encrypt", "Encrypt connection", func(a *steps.Answers) *bool { return &d(a).Encrypt }),
		yesNoField("database.trustServerCertificate", "Trust server cert", func(a *steps.Answers) *bool { return &d(a).TrustServerCertificate }).
			withExplain(func(*steps.Answers) string {
				return "Yes skips checking the SQL Server's certificate. Fine in a lab; outside one, install its CA on the nodes instead."
			}),
		yesNoField("database.multiSubnetFailover", "Multi-subnet failover", func(a *steps.Answers) *bool { return &d(a).MultiSubnetFailover }),
		yesNoField("database.create", "Create the database", func(a *steps.Answers) *bool { return &d(a).Create }).
			withExplain(func(*steps.Answers) string {
				return "Yes: the first node creates it. No: a DBA made it already (any _CI_ collation, the login as db_owner)."
			}),
	)
	return rowsOf(fields...)
}
