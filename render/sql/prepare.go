package sql

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/octoha/octoha/internal/docs"
	"github.com/octoha/octoha/steps"
)

// File is the script's path in the output folder.
const File = "sql/prepare-database.sql"

// placeholder starts every :setvar value the DBA must replace; the script
// stops while one is left.
const placeholder = "CHANGE-ME"

// script is what PrepareDatabase works out from the answers before writing.
type script struct {
	a steps.Answers
	// windowsAdmin: the admin running the node scripts connects with
	// Windows authentication and needs a login of their own.
	windowsAdmin bool
	logins       []steps.DatabaseLogin
	// alwaysOn: the database is to be in an availability group.
	alwaysOn bool
	b        strings.Builder
}

// PrepareDatabase renders sql/prepare-database.sql.
func PrepareDatabase(a steps.Answers) ([]byte, error) {
	if a.Database.Name == "" {
		return nil, fmt.Errorf("the answers name no database")
	}
	s := &script{
		a:            a,
		windowsAdmin: a.Database.Auth != steps.AuthSQL,
		logins:       a.DatabaseLogins(),
		alwaysOn:     a.InAvailabilityGroup(),
	}
	s.header()
	s.variables()
	s.declarations()
	s.loginTable()
	s.createLogins()
	s.serverRoles()
	s.inPrimary(s.database)
	s.inPrimary(s.users)
	if s.alwaysOn {
		s.addToGroup()
		s.joinGroup()
	}
	s.line("PRINT N'Done.';")
	s.line("GO")
	return []byte(s.b.String()), nil
}

func (s *script) line(parts ...string) {
	s.b.WriteString(strings.Join(parts, ""))
	s.b.WriteByte('\n')
}

// comment writes each line as a T-SQL comment.
func (s *script) comment(lines ...string) {
	for _, l := range lines {
		if l == "" {
			s.line("--")
			continue
		}
		s.line("-- ", l)
	}
}

// commentText makes s safe in a -- comment of a sqlcmd file: anything but
// printable ASCII becomes ?, which keeps line breaks (a new line would end
// the comment and could start a sqlcmd command) and $( (sqlcmd replaces
// variables in comments too) out. It is for text that names a value; code
// takes values through Str.
func commentText(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r >= 0x7f {
			r = '?'
		}
		b.WriteRune(r)
	}
	return strings.ReplaceAll(b.String(), "$(", "$?")
}

func (s *script) header() {
	a := s.a
	server := a.Database.Server
	if a.Database.Port != 0 {
		server += "," + strconv.Itoa(a.Database.Port)
	}
	s.comment(
		"prepare-database.sql: the logins, database and rights the Octopus Server HA cluster needs, for the DBA.",
		"Written by octoha for database "+commentText(a.Database.Name)+" on "+commentText(server)+"; it holds no secret.",
		"",
		"Run it as a sysadmin of that SQL Server, with sqlcmd (or in SQLCMD mode of SQL Server Management Studio):",
		"    sqlcmd -S "+commentText(server)+" -E -i prepare-database.sql",
		"It makes each login, the database, each user and each role membership only when it is missing,",
		"so it is safe to run again.",
	)
	if a.Database.Create {
		s.comment(
			steps.FieldDatabaseCreate+" is true: install-first-node.ps1 creates the database. Run this script before it",
			"(logins, and the right to create a database) and again after it (db_owner for every login).",
		)
	} else {
		s.comment(
			steps.FieldDatabaseCreate+" is false: this script creates the database, empty, with a case-insensitive",
			"collation; install-first-node.ps1 then makes the Octopus schema in it.",
		)
	}
	if s.alwaysOn {
		s.comment(
			"The database is to be in an AlwaysOn availability group ("+steps.FieldDatabaseMultiSubnetFailover+" is true):",
			"run this script on the primary replica first, then on every secondary replica. On the primary it",
			"adds the database to the group; on a secondary it joins it, by automatic seeding or from the",
			"backups the primary wrote to BackupFolder ("+docs.SetHADR+",",
			docs.Seeding+", "+docs.DataMovement+").",
		)
		if a.Database.Create {
			s.comment("So: on every replica before install-first-node.ps1 (the logins), on the primary after it",
				"(db_owner and the group), then on every secondary again (the join).")
		}
	}
	s.comment(
		"",
		"What Octopus asks of the database ("+docs.SQLDatabase+"): it is Octopus's alone, its",
		"collation is case-insensitive (a name containing _CI_), and the account installing Octopus and",
		"the accounts the nodes connect as are members of db_owner.",
		"",
	)
}

func (s *script) variables() {
	s.comment(
		"Change only the :setvar values below. sqlcmd pastes a value into the script as it is, before SQL",
		"Server reads it ("+docs.SqlcmdVariables+"): write a ' in a value as ''.",
	)
	if s.windowsAdmin {
		s.comment("InstallingAdmin: the Windows account (DOMAIN\\name) that runs install-first-node.ps1 and the join scripts.")
		s.line(`:setvar InstallingAdmin "`, placeholder, `\installing-admin"`)
	}
	if s.computerAccounts() {
		s.comment("Domain: the NetBIOS name of the nodes' domain. The service runs as Local System, so each node",
			"reaches SQL Server as its computer account, DOMAIN\\HOST$.")
		s.line(`:setvar Domain "`, placeholder, `"`)
	}
	if !s.a.Database.Create {
		s.comment("Collation: any case-insensitive collation; Octopus itself creates Latin1_General_CI_AS.")
		s.line(`:setvar Collation "Latin1_General_CI_AS"`)
	}
	if s.alwaysOn {
		s.comment("AvailabilityGroup: the availability group whose listener the nodes connect to.",
			"BackupFolder: a share every replica's SQL Server service can read, for the seeding backups.")
		s.line(`:setvar AvailabilityGroup "`, placeholder, `"`)
		s.line(`:setvar BackupFolder "\\`, placeholder, `\SqlBackup"`)
	}
	if s.sqlLogin() {
		s.comment(
			"SqlLoginPassword is not set here, so that no file holds it: give it to sqlcmd as an environment",
			"variable of that name (sqlcmd reads environment variables as scripting variables) or with",
			"-v SqlLoginPassword=\"...\" (seen in the process list while sqlcmd runs); empty when the login exists.",
		)
		if s.alwaysOn {
			s.comment("SqlLoginSid: empty on the primary; on a secondary, the SID the primary's run printed, so that",
				"the login is the same on every replica and the database user maps to it after a failover.")
			s.line(`:setvar SqlLoginSid ""`)
		}
	}
	s.line(":on error exit")
	s.line("")
}

func (s *script) computerAccounts() bool {
	return len(s.logins) > 0 && s.logins[0].Kind == steps.LoginComputer
}

func (s *script) sqlLogin() bool {
	return len(s.logins) > 0 && s.logins[0].Kind == steps.LoginSQL
}

func (s *script) declarations() {
	s.line("SET NOCOUNT ON;")
	s.line("DECLARE @database sysname = ", Str(s.a.Database.Name), ";")
	s.line("DECLARE @sql nvarchar(max), @message nvarchar(2048), @id int, @login sysname, @kind nvarchar(10);")
	s.line("IF IS_SRVROLEMEMBER(N'sysadmin') IS NULL OR IS_SRVROLEMEMBER(N'sysadmin') <> 1")
	s.line("    THROW 50000, N'Run this script as a sysadmin of this SQL Server.', 1;")
	if s.windowsAdmin {
		s.line("DECLARE @admin sysname = N'$(InstallingAdmin)';")
		s.placeholderCheck("@admin", "Set InstallingAdmin, at the top of this script, to the Windows account (DOMAIN\\name) that runs install-first-node.ps1 and the join scripts.")
	}
	if s.computerAccounts() {
		s.line("DECLARE @domain sysname = N'$(Domain)';")
		s.placeholderCheck("@domain", "Set Domain, at the top of this script, to the NetBIOS name of the nodes'' domain.")
	}
	if s.sqlLogin() {
		s.line("DECLARE @sqlLogin sysname = ", Str(s.logins[0].Name), ", @password nvarchar(128) = N'$(SqlLoginPassword)';")
	}
	if s.alwaysOn {
		s.line("DECLARE @group sysname = N'$(AvailabilityGroup)', @backupFolder nvarchar(3900) = N'$(BackupFolder)';")
		s.line("DECLARE @role nvarchar(60), @seeding nvarchar(60), @file nvarchar(4000);")
		s.placeholderCheck("@group", "Set AvailabilityGroup, at the top of this script, to the availability group of the nodes'' listener.")
		s.placeholderCheck("@backupFolder", "Set BackupFolder, at the top of this script, to a share every replica can read.")
		s.line("SELECT @role = rs.role_desc, @seeding = ar.seeding_mode_desc")
		s.line("FROM sys.availability_groups AS g")
		s.line("JOIN sys.dm_hadr_availability_replica_states AS rs ON rs.group_id = g.group_id AND rs.is_local = 1")
		s.line("JOIN sys.availability_replicas AS ar ON ar.replica_id = rs.replica_id")
		s.line("WHERE g.name = @group;")
		s.line("IF @role IS NULL")
		s.line("BEGIN")
		s.line("    SET @message = N'This SQL Server holds no replica of availability group ' + @group + N'. Check AvailabilityGroup at the top of this script, and run it on a replica of that group.';")
		s.line("    THROW 50000, @message, 1;")
		s.line("END")
		s.line("PRINT N'This SQL Server holds the ' + @role + N' replica of availability group ' + @group + N'.';")
		if s.sqlLogin() {
			s.line("DECLARE @sid nvarchar(200) = N'$(SqlLoginSid)';")
			s.line("IF @sid <> N'' AND (@sid NOT LIKE N'0x%' OR SUBSTRING(@sid, 3, 200) LIKE N'%[^0-9A-Fa-f]%')")
			s.line("    THROW 50000, N'SqlLoginSid is not a SID as the primary printed it (0x and hexadecimal digits).', 1;")
		}
	}
	s.line("")
}

// placeholderCheck stops the script while variable still holds a value
// that starts with placeholder.
func (s *script) placeholderCheck(variable, message string) {
	s.line("IF ", variable, " LIKE N'%", placeholder, "%'")
	s.line("    THROW 50000, N'", message, "', 1;")
}

// loginTable lists the logins to make, each with its kind.
func (s *script) loginTable() {
	s.comment("The logins the nodes connect as, and the installing admin's.")
	s.line("DECLARE @logins TABLE (id int IDENTITY(1, 1) PRIMARY KEY, name sysname NOT NULL, kind nvarchar(10) NOT NULL);")
	for _, l := range s.logins {
		name := Str(l.Name)
		kind := "windows"
		switch l.Kind {
		case steps.LoginComputer:
			s.comment("Node " + commentText(l.Node) + ": the service runs as Local System, so it connects as the computer account.")
			name = "@domain + " + Str(`\`+l.Name)
		case steps.LoginSQL:
			s.comment("Every node connects with SQL authentication as this login.")
			name, kind = "@sqlLogin", "sql"
		default:
			if s.a.IsGMSA() {
				s.comment("Every node's service runs as this group managed service account.")
			} else {
				s.comment("Every node's service runs as this account.")
			}
		}
		s.line("INSERT INTO @logins (name, kind) VALUES (", name, ", N'", kind, "');")
	}
	if s.windowsAdmin {
		s.comment("The admin who runs the node scripts: install-first-node.ps1 connects as you.")
		s.line("INSERT INTO @logins (name, kind) VALUES (@admin, N'windows');")
	}
	s.line("")
}

// eachLogin writes a loop over @logins around body.
func (s *script) eachLogin(body func()) {
	s.line("SET @id = 0;")
	s.line("WHILE 1 = 1")
	s.line("BEGIN")
	s.line("    SELECT TOP (1) @id = id, @login = name, @kind = kind FROM @logins WHERE id > @id ORDER BY id;")
	s.line("    IF @@ROWCOUNT = 0 BREAK;")
	body()
	s.line("END")
}

func (s *script) createLogins() {
	s.comment("Logins, on every replica: a Windows login keeps its SID from the domain.")
	s.eachLogin(func() {
		s.line("    IF EXISTS (SELECT 1 FROM sys.server_principals WHERE name = @login)")
		s.line("        PRINT N'Login ' + @login + N' exists.';")
		s.line("    ELSE")
		s.line("    BEGIN")
		if s.sqlLogin() {
			s.line("        IF @kind = N'sql'")
			s.line("        BEGIN")
			s.line("            IF @password = N''")
			s.line("            BEGIN")
			s.line("                SET @message = N'The SQL login ' + @login + N' does not exist: give its password to sqlcmd as SqlLoginPassword (see the top of this script) and run it again.';")
			s.line("                THROW 50000, @message, 1;")
			s.line("            END")
			s.line("            SET @sql = N'CREATE LOGIN ' + QUOTENAME(@login) + N' WITH PASSWORD = ' + QUOTENAME(@password, N'''') + N', CHECK_POLICY = ON';")
			if s.alwaysOn {
				s.line("            IF @sid <> N''")
				s.line("                SET @sql = @sql + N', SID = ' + @sid;")
			}
			s.line("        END")
			s.line("        ELSE")
			s.line("            SET @sql = N'CREATE LOGIN ' + QUOTENAME(@login) + N' FROM WINDOWS';")
		} else {
			s.line("        SET @sql = N'CREATE LOGIN ' + QUOTENAME(@login) + N' FROM WINDOWS';")
		}
		s.line("        EXEC sys.sp_executesql @sql;")
		s.line("        PRINT N'Created login ' + @login + N'.';")
		s.line("    END")
	})
	if s.sqlLogin() && s.alwaysOn {
		s.line("IF @role = N'PRIMARY'")
		s.line("    PRINT N'On each secondary replica, set SqlLoginSid to ' + CONVERT(nvarchar(200), SUSER_SID(@sqlLogin), 1) + N' before running this script there.';")
	}
	s.line("")
}

// creator is the T-SQL expression naming the login that runs database
// --create: the installing admin, or the SQL login the first node uses.
func (s *script) creator() string {
	if s.windowsAdmin {
		return "@admin"
	}
	return "@sqlLogin"
}

func (s *script) serverRoles() {
	if !s.a.Database.Create {
		return
	}
	s.comment("database --create runs as this login: it needs CREATE ANY DATABASE, which dbcreator holds.",
		"It then owns the database (dbo) and grants the service's login itself (--grant).")
	s.line("IF NOT EXISTS (SELECT 1 FROM sys.server_role_members AS m")
	s.line("    JOIN sys.server_principals AS r ON r.principal_id = m.role_principal_id")
	s.line("    JOIN sys.server_principals AS p ON p.principal_id = m.member_principal_id")
	s.line("    WHERE r.name = N'dbcreator' AND p.name = ", s.creator(), ")")
	s.line("BEGIN")
	s.line("    SET @sql = N'ALTER SERVER ROLE [dbcreator] ADD MEMBER ' + QUOTENAME(", s.creator(), ") + N';';")
	s.line("    EXEC sys.sp_executesql @sql;")
	s.line("    PRINT N'Added ' + ", s.creator(), " + N' to dbcreator.';")
	s.line("END")
	s.line("")
}

// inPrimary writes section so that it runs only where the database is
// written: the primary replica, or the one SQL Server.
func (s *script) inPrimary(section func()) {
	if !s.alwaysOn {
		section()
		return
	}
	s.line("IF @role = N'PRIMARY'")
	s.line("BEGIN")
	section()
	s.line("END")
	s.line("")
}

func (s *script) database() {
	db := Ident(s.a.Database.Name)
	if s.a.Database.Create {
		s.line("IF DB_ID(@database) IS NULL")
		s.line("    PRINT N'Database ' + @database + N' does not exist yet: install-first-node.ps1 creates it (" + steps.FieldDatabaseCreate + " is true). Run this script again after it.';")
	} else {
		s.comment("The database, empty, with a case-insensitive collation (" + docs.SQLDatabase + ").")
		s.line("DECLARE @collation sysname = N'$(Collation)';")
		s.line("IF DB_ID(@database) IS NULL")
		s.line("BEGIN")
		s.line("    IF COLLATIONPROPERTY(@collation, 'CodePage') IS NULL OR @collation NOT LIKE N'%[_]CI[_]%'")
		s.line("    BEGIN")
		s.line("        SET @message = N'Collation ' + @collation + N' is not a case-insensitive collation of this SQL Server (its name must contain _CI_). Change Collation at the top of this script.';")
		s.line("        THROW 50000, @message, 1;")
		s.line("    END")
		s.line("    SET @sql = ", Str("CREATE DATABASE "+db+" COLLATE "), " + @collation + N';';")
		s.line("    EXEC sys.sp_executesql @sql;")
		s.line("    PRINT N'Created database ' + @database + N' with collation ' + @collation + N'.';")
		s.line("END")
	}
	s.line("IF CONVERT(nvarchar(128), DATABASEPROPERTYEX(@database, 'Collation')) NOT LIKE N'%[_]CI[_]%'")
	s.line("BEGIN")
	s.line("    SET @message = N'Database ' + @database + N' has the case-sensitive collation ' + CONVERT(nvarchar(128), DATABASEPROPERTYEX(@database, 'Collation')) + N'; Octopus needs a case-insensitive one (_CI_).';")
	s.line("    THROW 50000, @message, 1;")
	s.line("END")
}

func (s *script) users() {
	db := Ident(s.a.Database.Name)
	s.comment("Every login a user of the database and a member of db_owner (the database's owner, dbo, is one already).")
	s.line("IF DB_ID(@database) IS NOT NULL")
	s.line("BEGIN")
	s.eachLogin(func() {
		s.line("    SET @sql = ", Str("USE "+db+"; IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE sid = SUSER_SID(@login)) CREATE USER "),
			" + QUOTENAME(@login) + N' FOR LOGIN ' + QUOTENAME(@login) + ",
			Str("; IF NOT EXISTS (SELECT 1 FROM sys.database_principals AS u WHERE u.sid = SUSER_SID(@login) AND (u.name = N'dbo' OR IS_ROLEMEMBER(N'db_owner', u.name) = 1)) ALTER ROLE [db_owner] ADD MEMBER "),
			" + QUOTENAME(@login) + N';';")
		s.line("    EXEC sys.sp_executesql @sql, N'@login sysname', @login = @login;")
		s.line("    PRINT N'Login ' + @login + N' is db_owner of ' + @database + N'.';")
	})
	s.line("END")
}

// addToGroup writes the primary's part: full recovery, the backups a
// secondary seeds from, and ALTER AVAILABILITY GROUP ... ADD DATABASE.
func (s *script) addToGroup() {
	db := Ident(s.a.Database.Name)
	s.comment("On the primary: add the database to the group. It needs the full recovery model and a full",
		"backup; the log backup after it is what a secondary seeded by hand restores ("+docs.DataMovement+").")
	s.line("IF @role = N'PRIMARY' AND DB_ID(@database) IS NOT NULL")
	s.line("BEGIN")
	s.line("    IF EXISTS (SELECT 1 FROM sys.availability_databases_cluster AS d JOIN sys.availability_groups AS g ON g.group_id = d.group_id WHERE g.name = @group AND d.database_name = @database)")
	s.line("        PRINT N'Database ' + @database + N' is in availability group ' + @group + N'.';")
	s.line("    ELSE")
	s.line("    BEGIN")
	s.line("        IF (SELECT recovery_model_desc FROM sys.databases WHERE name = @database) <> N'FULL'")
	s.line("        BEGIN")
	s.line("            SET @sql = ", Str("ALTER DATABASE "+db+" SET RECOVERY FULL;"), ";")
	s.line("            EXEC sys.sp_executesql @sql;")
	s.line("        END")
	s.line("        SET @file = @backupFolder + N'\\octoha-seed.bak';")
	s.line("        SET @sql = ", Str("BACKUP DATABASE "+db+" TO DISK = @file WITH INIT;"), ";")
	s.line("        EXEC sys.sp_executesql @sql, N'@file nvarchar(4000)', @file = @file;")
	s.line("        SET @file = @backupFolder + N'\\octoha-seed.trn';")
	s.line("        SET @sql = ", Str("BACKUP LOG "+db+" TO DISK = @file WITH INIT;"), ";")
	s.line("        EXEC sys.sp_executesql @sql, N'@file nvarchar(4000)', @file = @file;")
	s.line("        SET @sql = N'ALTER AVAILABILITY GROUP ' + QUOTENAME(@group) + ", Str(" ADD DATABASE "+db+";"), ";")
	s.line("        EXEC sys.sp_executesql @sql;")
	s.line("        PRINT N'Added database ' + @database + N' to availability group ' + @group + N'. Now run this script on every secondary replica.';")
	s.line("    END")
	s.line("END")
	s.line("")
}

// joinGroup writes a secondary's part: with automatic seeding, the right
// for the group to create the database here; else the restores WITH
// NORECOVERY from BackupFolder and ALTER DATABASE ... SET HADR.
func (s *script) joinGroup() {
	db := Ident(s.a.Database.Name)
	s.comment("On a secondary: join the database to the group ("+docs.SetHADR+").",
		"With automatic seeding the group creates it here once it may ("+docs.Seeding+");",
		"else it is restored WITH NORECOVERY from the primary's backups, with the same file paths as there.")
	s.line("IF @role = N'SECONDARY'")
	s.line("BEGIN")
	s.line("    IF EXISTS (SELECT 1 FROM sys.databases WHERE name = @database AND group_database_id IS NOT NULL)")
	s.line("        PRINT N'Database ' + @database + N' is joined to availability group ' + @group + N' here.';")
	s.line("    ELSE IF NOT EXISTS (SELECT 1 FROM sys.availability_databases_cluster AS d JOIN sys.availability_groups AS g ON g.group_id = d.group_id WHERE g.name = @group AND d.database_name = @database)")
	s.line("        PRINT N'The logins are made here. The primary replica has not added ' + @database + N' to availability group ' + @group + N' yet: run this script on the primary (after install-first-node.ps1 when it creates the database), then here again.';")
	s.line("    ELSE IF @seeding = N'AUTOMATIC'")
	s.line("    BEGIN")
	s.line("        SET @sql = N'ALTER AVAILABILITY GROUP ' + QUOTENAME(@group) + N' GRANT CREATE ANY DATABASE;';")
	s.line("        EXEC sys.sp_executesql @sql;")
	s.line("        PRINT N'Availability group ' + @group + N' may create ' + @database + N' here: automatic seeding copies it from the primary.';")
	s.line("    END")
	s.line("    ELSE")
	s.line("    BEGIN")
	s.line("        IF DB_ID(@database) IS NULL")
	s.line("        BEGIN")
	s.line("            SET @file = @backupFolder + N'\\octoha-seed.bak';")
	s.line("            SET @sql = ", Str("RESTORE DATABASE "+db+" FROM DISK = @file WITH NORECOVERY;"), ";")
	s.line("            EXEC sys.sp_executesql @sql, N'@file nvarchar(4000)', @file = @file;")
	s.line("            SET @file = @backupFolder + N'\\octoha-seed.trn';")
	s.line("            SET @sql = ", Str("RESTORE LOG "+db+" FROM DISK = @file WITH NORECOVERY;"), ";")
	s.line("            EXEC sys.sp_executesql @sql, N'@file nvarchar(4000)', @file = @file;")
	s.line("        END")
	s.line("        SET @sql = ", Str("ALTER DATABASE "+db+" SET HADR AVAILABILITY GROUP = "), " + QUOTENAME(@group) + N';';")
	s.line("        EXEC sys.sp_executesql @sql;")
	s.line("        PRINT N'Joined database ' + @database + N' to availability group ' + @group + N'.';")
	s.line("    END")
	s.line("END")
	s.line("")
}
