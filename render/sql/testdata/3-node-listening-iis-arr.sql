-- prepare-database.sql: the logins, database and rights the Octopus Server HA cluster needs, for the DBA.
-- Written by octoha for database Octopus on sql01.corp.local\OCTOPUS; it holds no secret.
--
-- Run it as a sysadmin of that SQL Server, with sqlcmd (or in SQLCMD mode of SQL Server Management Studio):
--     sqlcmd -S sql01.corp.local\OCTOPUS -E -i prepare-database.sql
-- It makes each login, the database, each user and each role membership only when it is missing,
-- so it is safe to run again.
-- database.create is false: this script creates the database, empty, with a case-insensitive
-- collation; install-first-node.ps1 then makes the Octopus schema in it.
--
-- What Octopus asks of the database (https://octopus.com/docs/installation/sql-server-database): it is Octopus's alone, its
-- collation is case-insensitive (a name containing _CI_), and the account installing Octopus and
-- the accounts the nodes connect as are members of db_owner.
--
-- Change only the :setvar values below. sqlcmd pastes a value into the script as it is, before SQL
-- Server reads it (https://learn.microsoft.com/sql/tools/sqlcmd/sqlcmd-use-scripting-variables): write a ' in a value as ''.
-- InstallingAdmin: the Windows account (DOMAIN\name) that runs install-first-node.ps1 and the join scripts.
:setvar InstallingAdmin "CHANGE-ME\installing-admin"
-- Collation: any case-insensitive collation; Octopus itself creates Latin1_General_CI_AS.
:setvar Collation "Latin1_General_CI_AS"
:on error exit

SET NOCOUNT ON;
DECLARE @database sysname = N'Octopus';
DECLARE @sql nvarchar(max), @message nvarchar(2048), @id int, @login sysname, @kind nvarchar(10);
IF IS_SRVROLEMEMBER(N'sysadmin') IS NULL OR IS_SRVROLEMEMBER(N'sysadmin') <> 1
    THROW 50000, N'Run this script as a sysadmin of this SQL Server.', 1;
DECLARE @admin sysname = N'$(InstallingAdmin)';
IF @admin LIKE N'%CHANGE-ME%'
    THROW 50000, N'Set InstallingAdmin, at the top of this script, to the Windows account (DOMAIN\name) that runs install-first-node.ps1 and the join scripts.', 1;

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

-- The database, empty, with a case-insensitive collation (https://octopus.com/docs/installation/sql-server-database).
DECLARE @collation sysname = N'$(Collation)';
IF DB_ID(@database) IS NULL
BEGIN
    IF COLLATIONPROPERTY(@collation, 'CodePage') IS NULL OR @collation NOT LIKE N'%[_]CI[_]%'
    BEGIN
        SET @message = N'Collation ' + @collation + N' is not a case-insensitive collation of this SQL Server (its name must contain _CI_). Change Collation at the top of this script.';
        THROW 50000, @message, 1;
    END
    SET @sql = N'CREATE DATABASE [Octopus] COLLATE ' + @collation + N';';
    EXEC sys.sp_executesql @sql;
    PRINT N'Created database ' + @database + N' with collation ' + @collation + N'.';
END
IF CONVERT(nvarchar(128), DATABASEPROPERTYEX(@database, 'Collation')) NOT LIKE N'%[_]CI[_]%'
BEGIN
    SET @message = N'Database ' + @database + N' has the case-sensitive collation ' + CONVERT(nvarchar(128), DATABASEPROPERTYEX(@database, 'Collation')) + N'; Octopus needs a case-insensitive one (_CI_).';
    THROW 50000, @message, 1;
END
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
PRINT N'Done.';
GO
