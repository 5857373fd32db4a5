package sql

import (
	"strings"
	"testing"

	"github.com/octoha/octoha/steps"
)

func render(t *testing.T, a steps.Answers) string {
	t.Helper()
	b, err := PrepareDatabase(a)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestScriptMakesTheLoginsTheAnswersName holds which logins the script
// makes for each way the answers say the nodes connect.
func TestScriptMakesTheLoginsTheAnswersName(t *testing.T) {
	service := render(t, loadExample(t, "2-node-listening-nginx"))
	for _, want := range []string{`VALUES (N'CORP\svc-octopus', N'windows')`, "VALUES (@admin, N'windows')", `:setvar InstallingAdmin "CHANGE-ME\installing-admin"`} {
		if !strings.Contains(service, want) {
			t.Errorf("service account: no %s", want)
		}
	}
	gmsa := loadExample(t, "2-node-listening-nginx")
	gmsa.Octopus.ServiceAccount = `CORP\gmsa-octopus$`
	if s := render(t, gmsa); !strings.Contains(s, `VALUES (N'CORP\gmsa-octopus$', N'windows')`) || !strings.Contains(s, "group managed service account") {
		t.Errorf("gMSA: its login is missing")
	}
	local := loadExample(t, "3-node-listening-iis-arr")
	local.Octopus.ServiceAccount = ""
	s := render(t, local)
	for _, node := range []string{"OCTO1", "OCTO2", "OCTO3"} {
		if !strings.Contains(s, `VALUES (@domain + N'\`+node+`$', N'windows')`) {
			t.Errorf("Local System: no computer account login for %s", node)
		}
	}
	if !strings.Contains(s, `:setvar Domain "CHANGE-ME"`) {
		t.Errorf("Local System: no Domain variable")
	}
	sqlAuth := render(t, loadExample(t, "2-node-listening-nginx-sql-auth"))
	for _, want := range []string{"DECLARE @sqlLogin sysname = N'octopus'", "VALUES (@sqlLogin, N'sql')", "N'$(SqlLoginPassword)'", "QUOTENAME(@password, N'''')"} {
		if !strings.Contains(sqlAuth, want) {
			t.Errorf("SQL login: no %s", want)
		}
	}
	// The password is the DBA's to give at run time, never the file's.
	for _, unwanted := range []string{"InstallingAdmin", ":setvar SqlLoginPassword"} {
		if strings.Contains(sqlAuth, unwanted) {
			t.Errorf("SQL login: the script holds %q", unwanted)
		}
	}
}

// TestScriptCreatesTheDatabaseOnlyWhenTheDBAMakesIt: with database.create
// false the script creates it, case-insensitive; with true it gives the
// creator dbcreator and leaves the database to the first node.
func TestScriptCreatesTheDatabaseOnlyWhenTheDBAMakesIt(t *testing.T) {
	dba := render(t, loadExample(t, "3-node-listening-iis-arr"))
	for _, want := range []string{`:setvar Collation "Latin1_General_CI_AS"`, "N'CREATE DATABASE [Octopus] COLLATE ' + @collation", "NOT LIKE N'%[_]CI[_]%'"} {
		if !strings.Contains(dba, want) {
			t.Errorf("database.create false: no %s", want)
		}
	}
	if strings.Contains(dba, "dbcreator") {
		t.Errorf("database.create false: the admin is given dbcreator")
	}
	octopus := render(t, loadExample(t, "2-node-listening-nginx"))
	if strings.Contains(octopus, "CREATE DATABASE") || !strings.Contains(octopus, "ALTER SERVER ROLE [dbcreator] ADD MEMBER ' + QUOTENAME(@admin)") {
		t.Errorf("database.create true: the script creates the database or gives no dbcreator")
	}
}

// TestAvailabilityGroupStepsOnlyForAlwaysOn: the primary's and the
// secondaries' steps appear exactly when the answers connect through an
// availability group listener.
func TestAvailabilityGroupStepsOnlyForAlwaysOn(t *testing.T) {
	steps := []string{"ADD DATABASE [Octopus];", "GRANT CREATE ANY DATABASE", "SET HADR AVAILABILITY GROUP = ", "RESTORE LOG [Octopus]", "BACKUP LOG [Octopus]", ":setvar AvailabilityGroup"}
	ag := render(t, loadExample(t, "3-node-polling-unique-address-haproxy"))
	plain := render(t, loadExample(t, "3-node-polling-redis-haproxy"))
	for _, s := range steps {
		if !strings.Contains(ag, s) {
			t.Errorf("AlwaysOn: no %s", s)
		}
		if strings.Contains(plain, s) {
			t.Errorf("no AlwaysOn, yet %s", s)
		}
	}
	sqlAG := loadExample(t, "2-node-listening-nginx-sql-auth")
	sqlAG.Database.MultiSubnetFailover = true
	if s := render(t, sqlAG); !strings.Contains(s, ":setvar SqlLoginSid \"\"") || !strings.Contains(s, "SID = ' + @sid") {
		t.Errorf("SQL login in an availability group: the secondaries do not get the primary's SID")
	}
}
