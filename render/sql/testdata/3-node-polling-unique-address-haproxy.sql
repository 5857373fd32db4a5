-- prepare-database.sql: the logins, database and rights the Octopus Server HA cluster needs, for the DBA.
-- Written by octoha for database Octopus on sql-ag-listener.corp.local; it holds no secret.
--
-- Run it as a sysadmin of that SQL Server, with sqlcmd (or in SQLCMD mode of SQL Server Management Studio):
--     sqlcmd -S sql-ag-listener.corp.local -E -i prepare-database.sql
-- It makes each login, the database, each user and each role membership only when it is missing,
-- so it is safe to run again.
-- database.create is true: install-first-node.ps1 creates the database. Run this script before it
-- (logins, and the right to create a database) and again after it (db_owner for every login).
-- The database is to be in an AlwaysOn availability group (database.multiSubnetFailover is true):
-- run this script on the primary replica first, then on every secondary replica. On the primary it
-- adds the database to the group; on a secondary it joins it, by automatic seeding or from the
-- backups the primary wrote to BackupFolder (https://learn.microsoft.com/sql/t-sql/statements/alter-database-transact-sql-set-hadr,
-- https://learn.microsoft.com/sql/database-engine/availability-groups/windows/automatic-seeding-secondary-replicas, https://learn.microsoft.com/sql/database-engine/availability-groups/windows/start-data-movement-on-an-always-on-secondary-database-sql-server).
-- So: on every replica before install-first-node.ps1 (the logins), on the primary after it
-- (db_owner and the group), then on every secondary again (the join).
--
-- What Octopus asks of the database (https://octopus.com/docs/installation/sql-server-database): it is Octopus's alone, its
-- collation is case-insensitive (a name containing _CI_), and the account installing Octopus and
-- the accounts the nodes connect as are members of db_owner.
--
-- Change only the :setvar values below. sqlcmd pastes a value into the script as it is, before SQL
-- Server reads it (https://learn.microsoft.com/sql/tools/sqlcmd/sqlcmd-use-scripting-variables): write a ' in a value as ''.
-- InstallingAdmin: the Windows account (DOMAIN\name) that runs install-first-node.ps1 and the join scripts.
:setvar InstallingAdmin "CHANGE-ME\installing-admin"
-- AvailabilityGroup: the availability group whose listener the nodes connect to.
-- BackupFolder: a share every replica's SQL Server service can read, for the seeding backups.
:setvar AvailabilityGroup "CHANGE-ME"
:setvar BackupFolder "\\CHANGE-ME\SqlBackup"
:on error exit

SET NOCOUNT ON;
DECLARE @database sysname = N'Octopus';
DECLARE @sql nvarchar(max), @message nvarchar(2048), @id int, @login sysname, @kind nvarchar(10);
IF IS_SRVROLEMEMBER(N'sysadmin') IS NULL OR IS_SRVROLEMEMBER(N'sysadmin') <> 1
    THROW 50000, N'Run this script as a sysadmin of this SQL Server.', 1;
DECLARE @admin sysname = N'$(InstallingAdmin)';
IF @admin LIKE N'%CHANGE-ME%'
    THROW 50000, N'Set InstallingAdmin, at the top of this script, to the Windows account (DOMAIN\name) that runs install-first-node.ps1 and the join scripts.', 1;
DECLARE @group sysname = N'$(AvailabilityGroup)', @backupFolder nvarchar(3900) = N'$(BackupFolder)';
DECLARE @role nvarchar(60), @seeding nvarchar(60), @file nvarchar(4000);
IF @group LIKE N'%CHANGE-ME%'
    THROW 50000, N'Set AvailabilityGroup, at the top of this script, to the availability group of the nodes'' listener.', 1;
IF @backupFolder LIKE N'%CHANGE-ME%'
    THROW 50000, N'Set BackupFolder, at the top of this script, to a share every replica can read.', 1;
SELECT @role = rs.role_desc, @seeding = ar.seeding_mode_desc
FROM sys.availability_groups AS g
JOIN sys.dm_hadr_availability_replica_states AS rs ON rs.group_id = g.group_id AND rs.is_local = 1
JOIN sys.availability_replicas AS ar ON ar.replica_id = rs.replica_id
WHERE g.name = @group;
IF @role IS NULL
BEGIN
    SET @message = N'This SQL Server holds no replica of availability group ' + @group + N'. Check AvailabilityGroup at the top of this script, and run it on a replica of that group.';
    THROW 50000, @message, 1;
END
PRINT N'This SQL Server holds the ' + @role + N' replica of availability group ' + @group + N'.';

-- The logins the nodes connect as, and the installing admin's.
DECLARE @logins TABLE (id int IDENTITY(1, 1) PRIMARY KEY, name sysname NOT NULL, kind nvarchar(10) NOT NULL);
-- Every node's service runs as this account.
INSERT INTO @logins (name, kind) VALUES (N'CORP\svc-octopus', N'windows');
-- The admin who runs the node scripts: install-first-node.ps1 connects as you.
INSERT INTO @logins (name, kind) VALUES (@admin, N'windows');

-- Logins, on every replica: a Windows login keeps its SID from the domain.
SET @id = 0;
WHILE 1 = 1
BEGIN
    SELECT TOP (1) @id = id, @login = name, @kind = kind FROM @logins WHERE id > @id ORDER BY id;
    IF @@ROWCOUNT = 0 BREAK;
    IF EXISTS (SELECT 1 FROM sys.server_principals WHERE name = @login)
        PRINT N'Login ' + @login + N' exists.';
    ELSE
    BEGIN
        SET @sql = N'CREATE LOGIN ' + QUOTENAME(@login) + N' FROM WINDOWS';
        EXEC sys.sp_executesql @sql;
        PRINT N'Created login ' + @login + N'.';
    END
END

-- database --create runs as this login: it needs CREATE ANY DATABASE, which dbcreator holds.
-- It then owns the database (dbo) and grants the service's login itself (--grant).
IF NOT EXISTS (SELECT 1 FROM sys.server_role_members AS m
    JOIN sys.server_principals AS r ON r.principal_id = m.role_principal_id
    JOIN sys.server_principals AS p ON p.principal_id = m.member_principal_id
    WHERE r.name = N'dbcreator' AND p.name = @admin)
BEGIN
    SET @sql = N'ALTER SERVER ROLE [dbcreator] ADD MEMBER ' + QUOTENAME(@admin) + N';';
    EXEC sys.sp_executesql @sql;
    PRINT N'Added ' + @admin + N' to dbcreator.';
END

IF @role = N'PRIMARY'
BEGIN
IF DB_ID(@database) IS NULL
    PRINT N'Database ' + @database + N' does not exist yet: install-first-node.ps1 creates it (database.create is true). Run this script again after it.';
IF CONVERT(nvarchar(128), DATABASEPROPERTYEX(@database, 'Collation')) NOT LIKE N'%[_]CI[_]%'
BEGIN
    SET @message = N'Database ' + @database + N' has the case-sensitive collation ' + CONVERT(nvarchar(128), DATABASEPROPERTYEX(@database, 'Collation')) + N'; Octopus needs a case-insensitive one (_CI_).';
    THROW 50000, @message, 1;
END
END

IF @role = N'PRIMARY'
BEGIN
-- Every login a user of the database and a member of db_owner (the database's owner, dbo, is one already).
IF DB_ID(@database) IS NOT NULL
BEGIN
SET @id = 0;
WHILE 1 = 1
BEGIN
    SELECT TOP (1) @id = id, @login = name, @kind = kind FROM @logins WHERE id > @id ORDER BY id;
    IF @@ROWCOUNT = 0 BREAK;
    SET @sql = N'USE [Octopus]; IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE sid = SUSER_SID(@login)) CREATE USER ' + QUOTENAME(@login) + N' FOR LOGIN ' + QUOTENAME(@login) + N'; IF NOT EXISTS (SELECT 1 FROM sys.database_principals AS u WHERE u.sid = SUSER_SID(@login) AND (u.name = N''dbo'' OR IS_ROLEMEMBER(N''db_owner'', u.name) = 1)) ALTER ROLE [db_owner] ADD MEMBER ' + QUOTENAME(@login) + N';';
    EXEC sys.sp_executesql @sql, N'@login sysname', @login = @login;
    PRINT N'Login ' + @login + N' is db_owner of ' + @database + N'.';
END
END
END

-- On the primary: add the database to the group. It needs the full recovery model and a full
-- backup; the log backup after it is what a secondary seeded by hand restores (https://learn.microsoft.com/sql/database-engine/availability-groups/windows/start-data-movement-on-an-always-on-secondary-database-sql-server).
IF @role = N'PRIMARY' AND DB_ID(@database) IS NOT NULL
BEGIN
    IF EXISTS (SELECT 1 FROM sys.availability_databases_cluster AS d JOIN sys.availability_groups AS g ON g.group_id = d.group_id WHERE g.name = @group AND d.database_name = @database)
        PRINT N'Database ' + @database + N' is in availability group ' + @group + N'.';
    ELSE
    BEGIN
        IF (SELECT recovery_model_desc FROM sys.databases WHERE name = @database) <> N'FULL'
        BEGIN
            SET @sql = N'ALTER DATABASE [Octopus] SET RECOVERY FULL;';
            EXEC sys.sp_executesql @sql;
        END
        SET @file = @backupFolder + N'\octoha-seed.bak';
        SET @sql = N'BACKUP DATABASE [Octopus] TO DISK = @file WITH INIT;';
        EXEC sys.sp_executesql @sql, N'@file nvarchar(4000)', @file = @file;
        SET @file = @backupFolder + N'\octoha-seed.trn';
        SET @sql = N'BACKUP LOG [Octopus] TO DISK = @file WITH INIT;';
        EXEC sys.sp_executesql @sql, N'@file nvarchar(4000)', @file = @file;
        SET @sql = N'ALTER AVAILABILITY GROUP ' + QUOTENAME(@group) + N' ADD DATABASE [Octopus];';
        EXEC sys.sp_executesql @sql;
        PRINT N'Added database ' + @database + N' to availability group ' + @group + N'. Now run this script on every secondary replica.';
    END
END

-- On a secondary: join the database to the group (https://learn.microsoft.com/sql/t-sql/statements/alter-database-transact-sql-set-hadr).
-- With automatic seeding the group creates it here once it may (https://learn.microsoft.com/sql/database-engine/availability-groups/windows/automatic-seeding-secondary-replicas);
-- else it is restored WITH NORECOVERY from the primary's backups, with the same file paths as there.
IF @role = N'SECONDARY'
BEGIN
    IF EXISTS (SELECT 1 FROM sys.databases WHERE name = @database AND group_database_id IS NOT NULL)
        PRINT N'Database ' + @database + N' is joined to availability group ' + @group + N' here.';
    ELSE IF NOT EXISTS (SELECT 1 FROM sys.availability_databases_cluster AS d JOIN sys.availability_groups AS g ON g.group_id = d.group_id WHERE g.name = @group AND d.database_name = @database)
        PRINT N'The logins are made here. The primary replica has not added ' + @database + N' to availability group ' + @group + N' yet: run this script on the primary (after install-first-node.ps1 when it creates the database), then here again.';
    ELSE IF @seeding = N'AUTOMATIC'
    BEGIN
        SET @sql = N'ALTER AVAILABILITY GROUP ' + QUOTENAME(@group) + N' GRANT CREATE ANY DATABASE;';
        EXEC sys.sp_executesql @sql;
        PRINT N'Availability group ' + @group + N' may create ' + @database + N' here: automatic seeding copies it from the primary.';
    END
    ELSE
    BEGIN
        IF DB_ID(@database) IS NULL
        BEGIN
            SET @file = @backupFolder + N'\octoha-seed.bak';
            SET @sql = N'RESTORE DATABASE [Octopus] FROM DISK = @file WITH NORECOVERY;';
            EXEC sys.sp_executesql @sql, N'@file nvarchar(4000)', @file = @file;
            SET @file = @backupFolder + N'\octoha-seed.trn';
            SET @sql = N'RESTORE LOG [Octopus] FROM DISK = @file WITH NORECOVERY;';
            EXEC sys.sp_executesql @sql, N'@file nvarchar(4000)', @file = @file;
        END
        SET @sql = N'ALTER DATABASE [Octopus] SET HADR AVAILABILITY GROUP = ' + QUOTENAME(@group) + N';';
        EXEC sys.sp_executesql @sql;
        PRINT N'Joined database ' + @database + N' to availability group ' + @group + N'.';
    END
END

PRINT N'Done.';
GO
