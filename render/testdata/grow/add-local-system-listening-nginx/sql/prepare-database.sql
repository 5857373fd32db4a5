-- prepare-database.sql: the logins, database and rights the Octopus Server HA cluster needs, for the DBA.
-- Written by octoha for database Octopus on sql01.corp.local,1433; it holds no secret.
--
-- Run it as a sysadmin of that SQL Server, with sqlcmd (or in SQLCMD mode of SQL Server Management Studio):
--     sqlcmd -S sql01.corp.local,1433 -E -i prepare-database.sql
-- It makes each login, the database, each user and each role membership only when it is missing,
-- so it is safe to run again.
-- database.create is true: install-first-node.ps1 creates the database. Run this script before it
-- (logins, and the right to create a database) and again after it (db_owner for every login).
--
-- What Octopus asks of the database (https://octopus.com/docs/installation/sql-server-database): it is Octopus's alone, its
-- collation is case-insensitive (a name containing _CI_), and the account installing Octopus and
-- the accounts the nodes connect as are members of db_owner.
--
-- Change only the :setvar values below. sqlcmd pastes a value into the script as it is, before SQL
-- Server reads it (https://learn.microsoft.com/sql/tools/sqlcmd/sqlcmd-use-scripting-variables): write a ' in a value as ''.
-- InstallingAdmin: the Windows account (DOMAIN\name) that runs install-first-node.ps1 and the join scripts.
:setvar InstallingAdmin "CHANGE-ME\installing-admin"
-- Domain: the NetBIOS name of the nodes' domain. The service runs as Local System, so each node
-- reaches SQL Server as its computer account, DOMAIN\HOST$.
:setvar Domain "CHANGE-ME"
:on error exit

SET NOCOUNT ON;
DECLARE @database sysname = N'Octopus';
DECLARE @sql nvarchar(max), @message nvarchar(2048), @id int, @login sysname, @kind nvarchar(10);
IF IS_SRVROLEMEMBER(N'sysadmin') IS NULL OR IS_SRVROLEMEMBER(N'sysadmin') <> 1
    THROW 50000, N'Run this script as a sysadmin of this SQL Server.', 1;
DECLARE @admin sysname = N'$(InstallingAdmin)';
IF @admin LIKE N'%CHANGE-ME%'
    THROW 50000, N'Set InstallingAdmin, at the top of this script, to the Windows account (DOMAIN\name) that runs install-first-node.ps1 and the join scripts.', 1;
DECLARE @domain sysname = N'$(Domain)';
IF @domain LIKE N'%CHANGE-ME%'
    THROW 50000, N'Set Domain, at the top of this script, to the NetBIOS name of the nodes'' domain.', 1;

-- The logins the nodes connect as, and the installing admin's.
DECLARE @logins TABLE (id int IDENTITY(1, 1) PRIMARY KEY, name sysname NOT NULL, kind nvarchar(10) NOT NULL);
-- Node OCTO1: the service runs as Local System, so it connects as the computer account.
INSERT INTO @logins (name, kind) VALUES (@domain + N'\OCTO1$', N'windows');
-- Node OCTO2: the service runs as Local System, so it connects as the computer account.
INSERT INTO @logins (name, kind) VALUES (@domain + N'\OCTO2$', N'windows');
-- Node OCTO3: the service runs as Local System, so it connects as the computer account.
INSERT INTO @logins (name, kind) VALUES (@domain + N'\OCTO3$', N'windows');
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

IF DB_ID(@database) IS NULL
    PRINT N'Database ' + @database + N' does not exist yet: install-first-node.ps1 creates it (database.create is true). Run this script again after it.';
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
