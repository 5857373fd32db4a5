package dbprobe

import (
	"database/sql"
	"errors"
	"strings"

	"github.com/octoha/octoha/internal/docs"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// openDatabase checks a database the login could open: that create agrees,
// its collation, the login's rights in it, and the Octopus nodes it holds.
func (c *checker) openDatabase() validate.Findings {
	var fs validate.Findings
	name := c.a.Database.Name
	c.dbExists = true
	if c.a.Database.Create {
		fs = append(fs, warnf("db.exists", steps.FieldDatabaseCreate,
			"Set database.create to false to attach to this database (adding nodes to an existing cluster), or name a new database.",
			"Database %q already exists, so database.create: true will not create anything: `database --create` on an existing database is taken to be a no-op and the first node attaches to it [INFER].", name).WithDocs(docs.DatabaseCommand))
	} else {
		fs = append(fs, okf("db.exists", steps.FieldDatabaseName, "Database %q exists; the first node attaches to it.", name))
	}

	var current string
	var collation sql.NullString
	var owner sql.NullInt64
	err := c.s.conn.QueryRowContext(c.ctx, currentDatabaseQuery).Scan(&current, &collation, &owner)
	if err != nil {
		return append(fs, c.queryFailed("db.collation", steps.FieldDatabaseName, "the database's collation and permissions", err))
	}
	fs = append(fs, collationFinding(name, collation.String))
	if owner.Int64 == 1 {
		fs = append(fs, okf("db.permissions", userField(c.a), "%s is db_owner on %q.", loginName(c.a), name))
	} else {
		fs = append(fs, errorf("db.permissions", userField(c.a),
			"Ask the DBA to add the login's user to the db_owner role of "+quote(name)+"."+c.windowsNote(),
			"%s is not db_owner on %q; Octopus needs db_owner.", loginName(c.a), name).WithDocs(docs.SelfManagedSQL))
	}

	nodes, err := c.nodes()
	if errors.Is(err, ErrNoNodeTable) {
		return append(fs, okf("db.nodes", steps.FieldDatabaseName, "Database %q has no Octopus tables yet.", name))
	}
	if err != nil {
		return append(fs, c.queryFailed("db.nodes", steps.FieldDatabaseName, "the Octopus server nodes", err))
	}
	return append(fs, nodeFindings(nodes, c.a, c.opts)...)
}

// missingDatabase checks a database the login could not open: missing, or
// there and closed to the login.
func (c *checker) missingDatabase() validate.Findings {
	name := c.a.Database.Name
	rows, err := c.s.conn.QueryContext(c.ctx, databasesQuery)
	if err != nil {
		return validate.Findings{c.queryFailed("db.exists", steps.FieldDatabaseName, "whether the database exists", err)}
	}
	defer rows.Close()
	exists := false
	for rows.Next() {
		var n string
		var collation sql.NullString
		if err := rows.Scan(&n, &collation); err != nil {
			return validate.Findings{c.queryFailed("db.exists", steps.FieldDatabaseName, "whether the database exists", err)}
		}
		// Database names compare case-insensitively on the usual server
		// collations.
		exists = exists || strings.EqualFold(n, name)
	}
	if err := rows.Err(); err != nil {
		return validate.Findings{c.queryFailed("db.exists", steps.FieldDatabaseName, "whether the database exists", err)}
	}

	c.dbExists = exists
	if exists {
		return validate.Findings{
			okf("db.exists", steps.FieldDatabaseName, "Database %q exists.", name),
			errorf("db.permissions", userField(c.a),
				"Ask the DBA to create a user for the login in "+quote(name)+" and add it to the db_owner role, which Octopus needs."+c.windowsNote(),
				"%s cannot open database %q.", loginName(c.a), name).WithDocs(docs.SelfManagedSQL),
		}
	}
	if !c.a.Database.Create {
		return validate.Findings{errorf("db.exists", steps.FieldDatabaseName,
			"Set database.create to true so the first node creates it, or ask the DBA to create it with a case-insensitive collation such as Latin1_General_CI_AS and the login as db_owner.",
			"Database %q does not exist and database.create is false.", name).WithDocs(docs.SelfManagedSQL)}
	}
	fs := validate.Findings{okf("db.exists", steps.FieldDatabaseName, "Database %q does not exist yet; the first node creates it.", name)}
	if !c.factsOK {
		return fs
	}
	if c.facts.CanCreateDatabase {
		return append(fs, okf("db.permissions", userField(c.a), "%s may create databases.", loginName(c.a)))
	}
	return append(fs, errorf("db.permissions", userField(c.a),
		"Ask the DBA to grant the login CREATE ANY DATABASE (the dbcreator role has it; Octopus's docs name no role) [INFER], or to create "+quote(name)+" (case-insensitive collation, login as db_owner) and set database.create to false.",
		"%s may not create databases, and database.create is true.", loginName(c.a)).WithDocs(docs.SelfManagedSQL))
}

// collationFinding requires a case-insensitive collation (docs/octopus-facts.md §4.2).
func collationFinding(name, collation string) validate.Finding {
	if strings.Contains(strings.ToUpper(collation), "_CI_") || strings.HasSuffix(strings.ToUpper(collation), "_CI") {
		return okf("db.collation", steps.FieldDatabaseName, "Database %q uses %s, which is case-insensitive.", name, collation)
	}
	return errorf("db.collation", steps.FieldDatabaseName,
		"Use a database created with a case-insensitive collation such as Latin1_General_CI_AS (the one Octopus creates); changing an existing database's collation is a DBA task, and every column must match it.",
		"Database %q uses collation %q, which is not case-insensitive; Octopus needs a _CI_ collation.", name, collation).WithDocs(docs.SelfManagedSQL)
}

// windowsNote warns that a Windows-auth permission check ran as whoever
// runs octoha, not as the Octopus service account.
func (c *checker) windowsNote() string {
	if userField(c.a) == steps.FieldDatabaseAuth {
		return " This was checked for the account running octoha; the Octopus service account and the installing user need the same rights."
	}
	return ""
}

func quote(s string) string { return `"` + s + `"` }
