#Requires -Version 5.1
#Requires -RunAsAdministrator

<#
.SYNOPSIS
    Installs the first node of the Octopus Server HA cluster (octoha).
.DESCRIPTION
    Run this on node ${octoha:NodeName} after installing the Octopus Server
    MSI, version ${octoha:OctopusVersion}. It creates the instance, points it at
#region octoha:create-database
    the shared database (creating it), configures it for the
#endregion octoha:create-database
#region octoha:!create-database
    the shared database (made by your DBA), configures it for the
#endregion octoha:!create-database
    balancer, opens its ports in Windows Firewall, creates the first
    administrator, applies the licence, points the cluster at the shared
#region octoha:redis
    folder, installs the service and waits for the node to answer and to
    reach Redis. Then it writes a marker file on the shared folder that
#endregion octoha:redis
#region octoha:!redis
    folder, installs the service and waits for the node to answer. Then it writes a marker file on the shared folder that
#endregion octoha:!redis
    the join scripts check, and says how to read the master key, which every
    joining node needs.

    Safe to run twice [INFER]: a step already done is skipped, or re-applied
    with the same values, which the Octopus docs do not promise to be
    harmless. A second run sends the database only its connection string
    (no --create), and leaves the administrator, the licence, the shared
    folders and the task cap alone once the marker file names this
    cluster's database, so changes made in the web portal since stay
    (-ReapplyClusterSettings sends the folders and the task cap again). It
    is for the first node only: when the marker names this cluster's
    database but this machine has no instance (a rebuilt or another
    machine), it stops before changing anything. To rebuild this node on
    a fresh machine, run ${octoha:RebuildScriptFile} there, which every
    octoha export writes next to this script; to rebuild another node, run
    its join script; both take the master key. Running it again on a
    live node stops the Octopus service (service --stop) until the end of
    the run: drain the node first. Run it with -WhatIf to see every step
    first.
# octoha:common first-node-sql-rights

    Shared folder rights. The marker file is written as you, not as the
    service account: you need write access to ${octoha:StorageRoot}, and the
    script proves it first by writing and deleting a probe file there
    (with -WhatIf too), before anything changes. The admins who run the
    join scripts need only read access. The service account needs full
    control (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/path).

    The run is logged under $env:ProgramData\octoha\logs. The script prints
    no secret, so none reaches that transcript. But where the Octopus CLI
    takes a secret only as a command-line argument, it is visible to local
    administrators while the command runs, and is recorded wherever
    command-line auditing is on (Security event 4688, Sysmon event 1,
    PowerShell module logging event 4103); the CLI documents no other way
# octoha:lines secret-arguments

    After it finishes, read the master key on this node with:
        ${octoha:ShowMasterKey}
    and store it in your password vault, never on the share.
# octoha:common sql-password-help
# octoha:common service-password-help
# octoha:common redis-password-help
# octoha:common firewall-help
.PARAMETER AdminPassword
    The password of the first Octopus administrator.
.PARAMETER LicenseFile
    Path of the Octopus licence file (XML), relative to the current
    location or absolute. Its node limit must allow the cluster's nodes
    (https://octopus.com/docs/administration/high-availability).
# octoha:common version-check-help
.PARAMETER ReapplyClusterSettings
    On a run after the first, send the shared folders (path) and the task
    cap (node --taskCap) again as the answers give them, overwriting what
    was changed in the web portal since. Without it a re-run leaves them
    alone.
.EXAMPLE
    $admin = Read-Host -AsSecureString -Prompt 'Octopus admin password'
    .\install-first-node.ps1 -AdminPassword $admin -LicenseFile C:\Install\octopus-licence.xml
.EXAMPLE
    .\install-first-node.ps1 -WhatIf
    Shows every step without changing anything (the mandatory values are
    still asked for).
#>
[CmdletBinding(SupportsShouldProcess)]
param(
# octoha:common sql-password-param
# octoha:common service-password-param
# octoha:common redis-password-param
    [Parameter(Mandatory)]
    [SecureString] $AdminPassword,
    [Parameter(Mandatory)]
    [string] $LicenseFile,
# octoha:common firewall-param
    [switch] $SkipVersionCheck,
    [switch] $ReapplyClusterSettings
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ScriptName = 'install-first-node'

# octoha:values

# octoha:common native-helpers

# octoha:common outcome

# octoha:common server-exe

# octoha:common server-helpers

# octoha:common node-check

function Test-InstanceMasterKey {
    <#
    .SYNOPSIS
        True when show-master-key prints a master key (base64 of 16 bytes,
        https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/database) for the instance. The key is never printed.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param()
    try {
        $shown = @(Invoke-OctopusServer -Command 'show-master-key' -Arguments @('--instance', $Instance, '--noconsolelogging'))
    }
    catch {
        Write-Verbose -Message $_.Exception.Message
        return $false
    }
    foreach ($line in $shown) {
        try {
            if ([System.Convert]::FromBase64String("$line".Trim()).Length -eq 16) {
                return $true
            }
        }
        catch {
            Write-Verbose -Message 'A line of show-master-key is not the key.'
        }
    }
    return $false
}
#region octoha:!create-database

function Get-RandomMasterKey {
    <#
    .SYNOPSIS
        A new master key: 16 random bytes in base64, as the Octopus docs
        make one (openssl rand 16 | base64, https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/database).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $bytes = [byte[]]::new(16)
    $random = [System.Security.Cryptography.RandomNumberGenerator]::Create()
    try {
        $random.GetBytes($bytes)
    }
    finally {
        $random.Dispose()
    }
    [System.Convert]::ToBase64String($bytes)
}
#endregion octoha:!create-database

function Test-OctopusSchema {
    <#
    .SYNOPSIS
        True when the database has the Octopus schema: its node table,
        dbo.OctopusServerNode (the table the Octopus docs' SQL names), exists.
    .DESCRIPTION
        Connects with the cluster's connection string, as the admin running
        this script (Windows authentication) or as the SQL login, and only
        reads. [INFER] Every Octopus schema has that table; octoha check
        reads the same table.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)]
        [string] $ConnectionString
    )
    $connection = New-Object -TypeName 'System.Data.SqlClient.SqlConnection' -ArgumentList $ConnectionString
    try {
        $connection.Open()
        $command = $connection.CreateCommand()
        $command.CommandText = 'SELECT CASE WHEN OBJECT_ID(N''dbo.OctopusServerNode'', N''U'') IS NULL THEN 0 ELSE 1 END'
        return [int] $command.ExecuteScalar() -eq 1
    }
    catch {
#region octoha:sql-auth
        throw ('Could not read database {0} on {1} to check its Octopus schema: {2} {3}' -f $SqlDatabase, $SqlDataSource, $_.Exception.Message, ('The SQL login {0} needs db_owner of it.' -f $SqlUser))
#endregion octoha:sql-auth
#region octoha:!sql-auth
        throw ('Could not read database {0} on {1} to check its Octopus schema: {2} {3}' -f $SqlDatabase, $SqlDataSource, $_.Exception.Message, ('You ({0}), the admin running this script, need db_owner of it.' -f $CurrentUser))
#endregion octoha:!sql-auth
    }
    finally {
        $connection.Dispose()
    }
}

# octoha:common transcript-start
try {
# octoha:common server-checks
$CurrentUser = '{0}\{1}' -f [System.Environment]::UserDomainName, [System.Environment]::UserName
# The marker file is written on the share at the end, as you, not as the
# service account: prove now, before anything changes, that you may write
# there. The probe is written and deleted with -WhatIf too (it leaves
# nothing behind).
$probe = [System.IO.Path]::Combine($StorageRoot, ('octoha-write-probe-{0}.tmp' -f [guid]::NewGuid().ToString('N')))
try {
    Set-Content -LiteralPath $probe -Value 'Written by octoha install-first-node.ps1 to prove write access; delete it.' -Encoding 'UTF8' -WhatIf:$false
}
catch {
    throw ('You ({0}) cannot write to the shared folder {1}: {2} This script writes its marker file there as you, at the end. Nothing was changed. Give yourself write access to {1} (share permission and NTFS), or run this script as an admin who has it.' -f $CurrentUser, $StorageRoot, $_.Exception.Message)
}
try {
    Remove-Item -LiteralPath $probe -WhatIf:$false
}
catch {
    Write-Warning ('You can write to {0} but could not delete the probe file {1}: {2} Delete it by hand.' -f $StorageRoot, $probe, $_.Exception.Message)
}
# A relative path is resolved against PowerShell's current location, which
# Octopus.Server.exe (started in the process's folder) would not see.
$LicensePath = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($LicenseFile)
if (-not (Test-Path -LiteralPath $LicensePath -PathType 'Leaf')) {
    throw ('The licence file {0} does not exist. Pass the path of the Octopus licence XML as -LicenseFile.' -f $LicensePath)
}
# octoha:common sql-credential

# octoha:common instance-existed
# Cluster-wide settings (administrator, licence, shared folders, task cap)
# live in the shared database: once the marker file names this database
# they are already done. [INFER] The marker is octoha's own proof
# (Octopus gives no warning, https://github.com/OctopusDeploy/Issues/issues/5355).
$markerDatabaseFound = Get-ClusterMarkerDatabase -Path $MarkerPath
$clusterReady = $MarkerDatabase -eq $markerDatabaseFound
if ($clusterReady -and -not $instanceExisted) {
    # The cluster runs, but not from this machine (rebuilt, or another
    # one): database --create would be run against the live cluster's
    # database without its master key, and the administrator and licence
    # skipped. Only a join script brings the master key.
    throw ('The marker file {0} says the cluster on {1} is already installed, but this machine has no instance {2}. Nothing was changed. To rebuild this node on this machine, run {3} here (octoha export writes it next to this script; it needs the master key); to add another node, use octoha add-node. If the database was dropped to start over, delete {0} and run this script again.' -f $MarkerPath, ('database {0} on {1}' -f $SqlDatabase, $SqlDataSource), $Instance, $RebuildScriptFile)
}
if (-not $clusterReady -and (Test-Path -LiteralPath $MarkerPath -PathType 'Leaf')) {
    Write-Warning ('The marker file {0} on the share does not name this database ({1}); it was left by another cluster or an older octoha. The administrator, the licence, the shared folders and the task cap are set as for a new cluster, and the marker is rewritten at the end.' -f $MarkerPath, $MarkerDatabase)
}

# octoha:common create-instance

# database (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/database).
#region octoha:create-database
# octoha creates it (database.create: true): --create "creates a new empty
# database, and upgrades the database to the expected schema" and makes the
# master key (Octopus docs, database command; https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/database).
#endregion octoha:create-database
#region octoha:!create-database
# Your DBA made the database (database.create: false), empty. --create
# would not do: on a database that exists "it will say it already exists
# and won't do anything" (Octopus docs, database command, basic example),
# which leaves neither the schema nor a master key. So the first run sends
# --upgrade, which "upgrades the database to the expected schema" (same
# page), and --masterKey, which "sets the Master Key to use" (same page),
# with a key made here as that page makes one (16 random bytes in base64).
# [INFER] --upgrade on an empty database makes the whole schema: the docs
# do not say so, hence the check below. A key the instance already holds
# (a first attempt that failed after the database step) is kept, since
# data may be encrypted with it.
#endregion octoha:!create-database
# The outcome is checked before anything else is sent: the database has
# the Octopus schema and the instance has a master key.
# A later run, on an instance that already has its database, sends only
# --connectionString, which just updates the stored string (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/database,
# "Moving a DB later"). The record below, in this node's home folder,
# tells a failed first attempt (database not made yet) from a later run;
# it counts only when it names this cluster's database, so a run after the
# answers moved to another database creates that one.
# The connection string holds the SQL password for SQL authentication: the
# CLI takes it only as an argument, so it is visible to local administrators
# while the command runs and in command-line audit logs where those are
# enabled; the CLI documents no other way to pass it.
$DatabaseRecord = [System.IO.Path]::Combine($HomeDir, 'octoha-database.txt')
$databaseDone = $instanceExisted -and ($clusterReady -or ((Get-ClusterMarkerDatabase -Path $DatabaseRecord) -eq $MarkerDatabase))
$databaseArguments = @('--instance', $Instance)
if ($databaseDone) {
    Write-Output 'The instance already has its database: only the connection string is set again.'
}
else {
#region octoha:create-database
    $databaseArguments += '--create'
#endregion octoha:create-database
#region octoha:!create-database
    $databaseArguments += '--upgrade'
    if (-not ($instanceExisted -and (Test-InstanceMasterKey))) {
        $databaseArguments += @('--masterKey', (Get-RandomMasterKey))
    }
#endregion octoha:!create-database
#region octoha:!sql-auth
#region octoha:service-account
    # The service connects as its account: --grant makes it db_owner.
    $databaseArguments += @('--grant', $ServiceAccount)
#endregion octoha:service-account
#region octoha:!service-account
    # The service connects as this computer's account: --grant makes it
    # db_owner. Each join script grants its own node's.
    $databaseArguments += @('--grant', $ComputerAccount)
#endregion octoha:!service-account
#endregion octoha:!sql-auth
}
if ($PSCmdlet.ShouldProcess($SqlDatabase, 'Point the instance at the database')) {
    $connectionString = Get-SqlConnectionString -DataSource $SqlDataSource -Database $SqlDatabase -SqlCredential $SqlCredential -Encrypt $SqlEncrypt -TrustServerCertificate $SqlTrustServerCertificate -MultiSubnetFailover $SqlMultiSubnetFailover
    Invoke-OctopusServer -Command 'database' -Arguments ($databaseArguments + @('--connectionString', $connectionString))
    $databaseArguments = $null
    if (-not (Test-OctopusSchema -ConnectionString $connectionString)) {
#region octoha:create-database
        throw ('database --create ran, but database {0} on {1} has no Octopus schema (no table dbo.OctopusServerNode). Nothing after the database step was changed. --create does nothing to a database that already exists (Octopus docs): if your DBA made this one, set database.create: false in the answers, export again and run the new script, which sends --upgrade.' -f $SqlDatabase, $SqlDataSource)
#endregion octoha:create-database
#region octoha:!create-database
        throw ('database --upgrade ran, but database {0} on {1} has no Octopus schema (no table dbo.OctopusServerNode). Nothing after the database step was changed. Read the output of Octopus.Server.exe above, then run this script again.' -f $SqlDatabase, $SqlDataSource)
#endregion octoha:!create-database
    }
    $connectionString = $null
    if (-not (Test-InstanceMasterKey)) {
        throw ('The database step ran, but show-master-key prints no master key for the instance {0}. Nothing after the database step was changed. Read the output of Octopus.Server.exe above, then run this script again.' -f $Instance)
    }
    if (-not $databaseDone) {
        Set-Content -LiteralPath $DatabaseRecord -Value @('Written by octoha install-first-node.ps1 after its database step succeeded. It holds no secret.', $MarkerDatabase) -Encoding 'UTF8'
    }
}

# octoha:common configure

# octoha:common node-firewall

# The first administrator and the licence are stored in the database, once
# for the cluster (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/admin and /license).
if ($clusterReady) {
    Write-Output 'The administrator and the licence: already done (the marker file names this database). Change them in the web portal.'
}
else {
    if ($PSCmdlet.ShouldProcess($AdminUsername, 'Create the first administrator')) {
        # admin takes the password only as an argument: it is visible to
        # local administrators while the command runs and in command-line
        # audit logs where those are enabled; the CLI documents no other way.
        $adminArguments = @('--instance', $Instance, '--username', $AdminUsername)
        if ($AdminEmail -ne '') {
            $adminArguments += @('--email', $AdminEmail)
        }
        Invoke-OctopusServer -Command 'admin' -Arguments ($adminArguments + @('--password', [System.Net.NetworkCredential]::new('', $AdminPassword).Password))
    }
    if ($PSCmdlet.ShouldProcess($LicensePath, 'Apply the licence')) {
        Invoke-OctopusServer -Command 'license' -Arguments @('--instance', $Instance, '--licenseFile', $LicensePath)
    }
}

# Shared storage, once for the cluster (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/path), and this node's
# task cap (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/node): both are kept in the database and changed later in the
# web portal, so they are sent on the first run (until the marker file
# names this database) and again only with -ReapplyClusterSettings; a
# re-run must not undo what was changed there since.
if ($clusterReady -and -not $ReapplyClusterSettings) {
#region octoha:task-cap
    Write-Output 'The shared folders and the task cap: already set (the marker file names this database). Change them in the web portal, or run this script with -ReapplyClusterSettings to send the answers'' values again.'
#endregion octoha:task-cap
#region octoha:!task-cap
    Write-Output 'The shared folders: already set (the marker file names this database). Change them in the web portal, or run this script with -ReapplyClusterSettings to send the answers'' values again.'
#endregion octoha:!task-cap
}
else {
    # Sub-folders left out of the answers fall under --clusterShared.
    $pathArguments = @('--instance', $Instance, '--clusterShared', $StorageRoot)
# octoha:lines SharedFolders
    if ($PSCmdlet.ShouldProcess($StorageRoot, 'Point the cluster at the shared folder')) {
        Invoke-OctopusServer -Command 'path' -Arguments $pathArguments
    }
    if ($TaskCap -gt 0 -and $PSCmdlet.ShouldProcess($NodeName, 'Set the task cap')) {
        Invoke-OctopusServer -Command 'node' -Arguments @('--instance', $Instance, '--taskCap', $TaskCap)
    }
}

# octoha:common service-install

if ($PSCmdlet.ShouldProcess($NodeName, 'Wait for the node to answer its ping URL')) {
    Wait-OctopusNode -Port $WebPort
}
#region octoha:redis
if ($PSCmdlet.ShouldProcess($NodeName, 'Check that the node reaches Redis')) {
    Assert-RedisPolling -Port $WebPort
}
#endregion octoha:redis

# The marker proves to joining nodes that they see this same share, and
# names the database so a later cluster does not take it for its own.
# [INFER] Octopus gives no such proof itself (https://github.com/OctopusDeploy/Issues/issues/5355). It is
# written as the user running this script, whose write access the probe
# at the start proved; the service account needs full control of the share
# as well (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/path).
if ($PSCmdlet.ShouldProcess($MarkerPath, 'Write the cluster marker file')) {
    $marker = @(
        'Written by octoha install-first-node.ps1. The join scripts read it to prove they see this share. It holds no secret.'
        ('Instance: {0}' -f $Instance)
        ('First node: {0}' -f $NodeName)
        ('Octopus version: {0}' -f $OctopusVersion)
        $MarkerDatabase
        ('Written: {0:u}' -f (Get-Date))
    )
    Set-Content -LiteralPath $MarkerPath -Value $marker -Encoding 'UTF8'
}

# The master key is never printed here: the transcript would keep it.
Write-Outcome -Done @(
    'The first node is up. Every joining node needs the master key. Read it on this node with:'
    ('    & {0} show-master-key --instance {1}' -f (ConvertTo-PowerShellLiteral -Value $ServerExe), (ConvertTo-PowerShellLiteral -Value $Instance))
    'Store it in your password vault, never on the share, and pass it to each join script as -MasterKey.'
)
}
finally {
    # octoha:common transcript-stop
}
