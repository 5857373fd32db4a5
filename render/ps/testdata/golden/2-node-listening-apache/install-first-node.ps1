#Requires -Version 5.1
#Requires -RunAsAdministrator

<#
.SYNOPSIS
    Installs the first node of the Octopus Server HA cluster (octoha).
.DESCRIPTION
    Run this on node OCTO1 after installing the Octopus Server
    MSI, version 2026.4.6909. It creates the instance, points it at
    the shared database (creating it), configures it for the
    balancer, opens its ports in Windows Firewall, creates the first
    administrator, applies the licence, points the cluster at the shared
    folder, installs the service and waits for the node to answer. Then it writes a marker file on the shared folder that
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
    a fresh machine, run rebuild-node-OCTO1.ps1 there, which every
    octoha export writes next to this script; to rebuild another node, run
    its join script; both take the master key. Running it again on a
    live node stops the Octopus service (service --stop) until the end of
    the run: drain the node first. Run it with -WhatIf to see every step
    first.

    SQL Server rights. With Windows authentication the database, admin,
    license, path and node commands connect as you, the admin running this
    script, not as the service account. You need the right to create
    databases on sql01.corp.local (dbcreator; the Octopus docs do not name
    the role). The first run makes the service account
    CORP\svc-octopus db_owner of the database with database --grant.

    Shared folder rights. The marker file is written as you, not as the
    service account: you need write access to \\fs01.corp.local\Octopus, and the
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
    to pass it. Here that applies to the admin password.

    After it finishes, read the master key on this node with:
        & 'C:\Program Files\Octopus Deploy\Octopus\Octopus.Server.exe' show-master-key --instance 'OctopusServer'
    and store it in your password vault, never on the share.
.PARAMETER ServicePassword
    The Windows password of the service account the Octopus service runs as.
.PARAMETER SkipFirewall
    Leave Windows Firewall alone. Without it the script allows inbound TCP
    to this node's web port (CHECKLIST.md, Firewall), in
    rules named octoha-octopus-*; use it when Group Policy or you manage
    the firewall.
.PARAMETER AdminPassword
    The password of the first Octopus administrator.
.PARAMETER LicenseFile
    Path of the Octopus licence file (XML), relative to the current
    location or absolute. Its node limit must allow the cluster's nodes
    (https://octopus.com/docs/administration/high-availability).
.PARAMETER SkipVersionCheck
    Go on when Octopus.Server.exe here is not the version the answers name
    (only a warning then). Every node must run the same version
    (https://octopus.com/docs/administration/high-availability): use it only when the versions match but are spelled differently.
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
    [Parameter(Mandatory)]
    [SecureString] $ServicePassword,
    [Parameter(Mandatory)]
    [SecureString] $AdminPassword,
    [Parameter(Mandatory)]
    [string] $LicenseFile,
    [switch] $SkipFirewall,
    [switch] $SkipVersionCheck,
    [switch] $ReapplyClusterSettings
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ScriptName = 'install-first-node'

# Values from the octoha answers file. Change the answers and render again
# rather than editing them here: every node's script must agree.
$OctopusVersion = '2026.4.6909'
$Instance = 'OctopusServer'
$InstallDir = 'C:\Program Files\Octopus Deploy\Octopus'
# The home folder is local to each node and never shared (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/create-instance).
$HomeDir = 'C:\Octopus'
$NodeName = 'OCTO1'
$NodeHost = 'octo1.corp.local'
$WebPort = 80
$CommsPort = 10943
$PublicHost = 'octopus.corp.local'
$ServiceName = 'OctopusDeploy'
$ServiceAccount = 'CORP\svc-octopus'
# The SQL Server as SqlClient's Data Source: the server as written, or
# tcp:server,port for a port answer.
$SqlDataSource = 'tcp:sql01.corp.local,1433'
$SqlDatabase = 'Octopus'
$SqlEncrypt = $true
$SqlTrustServerCertificate = $false
$SqlMultiSubnetFailover = $false
$TrustedProxies = @('10.0.0.5')
$StorageRoot = '\\fs01.corp.local\Octopus'
$MarkerFileName = 'octoha-cluster.txt'
$TaskCap = 0
$AdminUsername = 'admin'
$AdminEmail = 'octopus-admins@corp.local'
$RebuildScriptFile = 'rebuild-node-OCTO1.ps1'

function ConvertTo-NativeArgument {
    <#
    .SYNOPSIS
        Quotes one argument for an .exe by the Windows (MSVC) rules.
    .DESCRIPTION
        Writes the argument as .NET writes each item of
        ProcessStartInfo.ArgumentList into a command line (PasteArguments in
        dotnet/runtime): as it is when it holds no white space and no double
        quote; otherwise in double quotes, each embedded " as \", and the
        backslashes before a " or before the closing quote doubled. The .exe
        reads that back as exactly this one argument, also when it is empty.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string] $Value
    )
    if ($Value -ne '' -and $Value -notmatch '[\s"]') {
        return $Value
    }
    $escaped = [regex]::Replace($Value, '(\\*)"', '$1$1\"')
    $escaped = [regex]::Replace($escaped, '(\\+)\z', '$1$1')
    return '"' + $escaped + '"'
}

function ConvertTo-PowerShellLiteral {
    <#
    .SYNOPSIS
        A value known only at run time as a single-quoted PowerShell
        string, for a command a message prints.
    .DESCRIPTION
        PowerShell ends a single-quoted string at ' and at the Unicode single
        quotes U+2018 to U+201B alike; inside one, each is doubled.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string] $Value
    )
    "'" + [regex]::Replace($Value, '[''\u2018-\u201B]', '$0$0') + "'"
}

function Invoke-NativeCommand {
    <#
    .SYNOPSIS
        Runs an .exe and throws when it cannot start or exits non-zero.
    .DESCRIPTION
        The error names the command (Name) but never its arguments, which
        may hold a secret.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string] $FilePath,
        [Parameter(Mandatory)]
        [string] $Name,
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string[]] $Arguments
    )
    # PowerShell rewrites the arguments it passes to an .exe, each version
    # its own way: Windows PowerShell 5.1 counts every " when it decides
    # whether an argument needs quotes (Pa"ss word reached the .exe as two
    # arguments), PowerShell 7.7 expands a leading ~, and every version takes
    # an argument --% for its stop-parsing token. Only the text after a --%
    # written here reaches the .exe as it is, in every version, once the
    # environment variable it names is expanded: the command line is then
    # exactly the quoted arguments joined by spaces. PowerShell 7.3+ passes
    # that text whole only with Legacy passing (Standard and Windows split it
    # at every space), so Legacy is set for this call. The variable holds the
    # arguments, which are on the .exe's command line anyway, only while the
    # .exe runs.
    $native = @(foreach ($argument in $Arguments) { ConvertTo-NativeArgument -Value $argument })
    Set-Variable -Name 'PSNativeCommandArgumentPassing' -Value 'Legacy' -Scope 'Local' -WhatIf:$false
    [Environment]::SetEnvironmentVariable('OCTOHA_NATIVE_ARGUMENTS', ($native -join ' '))
    # A tool's stderr must not stop the script (Windows PowerShell 5.1
    # turns it into errors under 'Stop'): the exit code decides.
    $ErrorActionPreference = 'Continue'
    $exitCode = $null
    try {
        & $FilePath --% %OCTOHA_NATIVE_ARGUMENTS%
        # Read at once: only an .exe that ran sets it, so an earlier
        # command's code is never taken for this one's.
        $exitCode = $LASTEXITCODE
    }
    catch {
        # The .exe did not start (AppLocker or WDAC, access denied): under
        # 'Continue' that error would only be printed, and the previous
        # command's exit code (often 0) would pass for success.
        $ErrorActionPreference = 'Stop'
        throw ('{0} could not run: {1}' -f $Name, $_.Exception.Message)
    }
    finally {
        # [NullString]::Value removes the variable; PowerShell would turn
        # $null into ''.
        [Environment]::SetEnvironmentVariable('OCTOHA_NATIVE_ARGUMENTS', [NullString]::Value)
        $ErrorActionPreference = 'Stop'
    }
    if ($null -eq $exitCode) {
        throw ('{0} ran but reported no exit code. Read its output above; this run is logged in {1}.' -f $Name, $LogFile)
    }
    if ($exitCode -ne 0) {
        throw ('{0} failed with exit code {1}. Read its output above; this run is logged in {2}.' -f $Name, $exitCode, $LogFile)
    }
}

function Get-InstanceName {
    <#
    .SYNOPSIS
        Reads the instance names from list-instances --format json output.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string] $Json
    )
    $start = $Json.IndexOf('[')
    $end = $Json.LastIndexOf(']')
    if ($start -lt 0 -or $end -lt $start) {
        throw 'list-instances printed no JSON list of instances. Run it by hand with --format json to see why.'
    }
    # Windows PowerShell 5.1 emits a JSON array as ONE object (an empty
    # array for []), PowerShell 7 emits its items: foreach over the value
    # handles both. Wrapping the call in @() would, on 5.1, hold an empty
    # array whose .InstanceName throws under Set-StrictMode.
    $parsed = ConvertFrom-Json -InputObject $Json.Substring($start, $end - $start + 1)
    foreach ($instance in $parsed) {
        if ($null -ne $instance -and $null -ne $instance.PSObject.Properties['InstanceName']) {
            $instance.InstanceName
        }
    }
}

function Write-Outcome {
    <#
    .SYNOPSIS
        The run's last lines: what it did, or under -WhatIf that it changed
        nothing, so a -WhatIf run never claims the work was done.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [string[]] $Done
    )
    if ($WhatIfPreference) {
        return '-WhatIf: nothing was changed. Run the script without -WhatIf to make the changes listed above.'
    }
    $Done
}

function Invoke-OctopusServer {
    <#
    .SYNOPSIS
        Runs one Octopus.Server.exe command and checks its exit code.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string] $Command,
        [string[]] $Arguments = @()
    )
    # --console: run as a command, not as a service, also over remoting
    # (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line).
    Invoke-NativeCommand -FilePath $ServerExe -Name ('Octopus.Server.exe ' + $Command) -Arguments (@($Command, '--console') + $Arguments)
}

function Get-SqlConnectionString {
    <#
    .SYNOPSIS
        Builds the connection string with SqlConnectionStringBuilder, which
        escapes every value (the password included).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [string] $DataSource,
        [Parameter(Mandatory)]
        [string] $Database,
        [PSCredential] $SqlCredential,
        [bool] $Encrypt,
        [bool] $TrustServerCertificate,
        [bool] $MultiSubnetFailover
    )
    # System.Data.SqlClient ships with Windows PowerShell 5.1 and PowerShell 7.
    # The builder is a dictionary, so PowerShell turns $builder.DataSource =
    # ... into the key 'DataSource', which it refuses: every value is set
    # through its keyword ('Data Source') instead.
    $builder = New-Object -TypeName 'System.Data.SqlClient.SqlConnectionStringBuilder'
    $builder['Data Source'] = $DataSource
    $builder['Initial Catalog'] = $Database
    if ($null -eq $SqlCredential) {
        $builder['Integrated Security'] = $true
    }
    else {
        $builder['Integrated Security'] = $false
        $builder['User ID'] = $SqlCredential.UserName
        $builder['Password'] = $SqlCredential.GetNetworkCredential().Password
    }
    $builder['Encrypt'] = $Encrypt
    # Octopus treats a missing TrustServerCertificate as True, so it is
    # always written out (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/database).
    $builder['TrustServerCertificate'] = $TrustServerCertificate
    $builder['MultiSubnetFailover'] = $MultiSubnetFailover
    $builder.ConnectionString
}

function Get-ClusterMarkerDatabase {
    <#
    .SYNOPSIS
        The "Database: <name> on <server>" line of the cluster marker file
        (or of the first node's database record), or $null when there is no
        such file or it names no database (octoha before this line was
        added).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [string] $Path
    )
    if (-not (Test-Path -LiteralPath $Path -PathType 'Leaf')) {
        return $null
    }
    foreach ($line in @(Get-Content -LiteralPath $Path -Encoding 'UTF8')) {
        if ($line.StartsWith('Database: ', [System.StringComparison]::Ordinal)) {
            return $line
        }
    }
    return $null
}

function Wait-OctopusNode {
    <#
    .SYNOPSIS
        Waits until the node's ping URL answers 200 (up) or 418 (up and
        draining), https://octopus.com/docs/installation/load-balancers.
    .DESCRIPTION
        A drained node stays drained when its service restarts, and its
        ping answers 418 (https://octopus.com/docs/installation/load-balancers): a run after draining the
        node, as the help advises, finds it up and draining, and says so.
        With -Drained (a new node drained before it first started) only
        418 will do: a 200 means the drain did not hold.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [int] $Port,
        [int] $Attempts = 60,
        [switch] $Drained
    )
    $url = 'http://localhost:{0}/api/octopusservernodes/ping' -f $Port
    $status = 0
    for ($attempt = 1; $attempt -le $Attempts; $attempt++) {
        $status = 0
        try {
            $status = [int] (Invoke-WebRequest -Uri $url -UseBasicParsing -TimeoutSec 10).StatusCode
        }
        catch {
            # Both editions throw for a status other than 2xx; the status is
            # then on the exception's Response (WebException in Windows
            # PowerShell 5.1, HttpResponseException in PowerShell 7), which
            # is missing or empty when nothing answered at all.
            $response = $_.Exception.PSObject.Properties['Response']
            if ($null -ne $response -and $null -ne $response.Value) {
                $status = [int] $response.Value.StatusCode
            }
            Write-Verbose -Message ('Attempt {0} of {1}: {2}' -f $attempt, $Attempts, $_.Exception.Message)
        }
        if ($status -eq 418 -and $Drained) {
            Write-Output ('The node answers 418 at {0}: it is up and drained, as it must stay until every polling tentacle polls it.' -f $url)
            return
        }
        if ($status -eq 418) {
            Write-Output ('The node answers 418 at {0}: it is up and draining, so it starts no new tasks, and a balancer that checks its health sends it no users. Undrain it when it should take work: Disable Drain Node in Configuration > Nodes, or on this node:' -f $url)
            Write-Output ('    & {0} node --instance {1} --drain=false' -f (ConvertTo-PowerShellLiteral -Value $ServerExe), (ConvertTo-PowerShellLiteral -Value $Instance))
            return
        }
        if ($status -eq 200 -and $Drained) {
            # [INFER] The Octopus docs do not say what node --drain does
            # before the node has first run; a 200 here says it did not hold.
            throw ('The node answers 200 at {0}: the drain sent before it first started did not hold, so it is taking tasks now. Drain it at once (Drain in Configuration > Nodes), then run this script again: it drains the node before starting it again.' -f $url)
        }
        if ($status -eq 200) {
            Write-Output ('The node answers 200 at {0}: it is up.' -f $url)
            return
        }
        Start-Sleep -Seconds 5
    }
    $last = 'no answer'
    if ($status -ne 0) {
        $last = 'the last answer was {0}' -f $status
    }
    throw ('The node did not answer 200, or 418 (draining), at {0} after {1} attempts ({2}). Read the Octopus Server log in the home folder ({3}) and the service''s state.' -f $url, $Attempts, $last, $HomeDir)
}

function Assert-ThisNode {
    <#
    .SYNOPSIS
        Stops, before anything changes, unless the Octopus instance on this
        machine is the node this script was made for.
    .DESCRIPTION
        A script made for one node sets that node's name, addresses and
        service: run on another node of the cluster, it would turn that node
        into this one. show-configuration prints the instance's settings;
        the node name is Octopus.Server.NodeName, and without it Octopus
        uses the machine name (the setting Octopus reads, and OctopusDSC's
        import of the same key from the instance's config file; the flat
        JSON format and --noconsolelogging are in the show-configuration
        docs). [INFER] The flat JSON has that key as a property name.
    #>
    [CmdletBinding()]
    param()
    $output = (Invoke-OctopusServer -Command 'show-configuration' -Arguments @('--instance', $Instance, '--format', 'json', '--noconsolelogging')) -join "`n"
    $start = $output.IndexOf('{')
    $end = $output.LastIndexOf('}')
    if ($start -lt 0 -or $end -lt $start) {
        throw ('show-configuration printed no JSON, so this script cannot tell which node this machine is. Nothing was changed. Run it by hand to see why: & {0} show-configuration --instance {1} --format json' -f (ConvertTo-PowerShellLiteral -Value $ServerExe), (ConvertTo-PowerShellLiteral -Value $Instance))
    }
    $settings = ConvertFrom-Json -InputObject $output.Substring($start, $end - $start + 1)
    $localNode = $env:COMPUTERNAME
    $setting = $settings.PSObject.Properties['Octopus.Server.NodeName']
    if ($null -ne $setting -and "$($setting.Value)" -ne '') {
        $localNode = [string] $setting.Value
    }
    if ($localNode -ne $NodeName) {
        throw ('This script is for node {0}, but the Octopus instance {1} on this machine ({2}) is node {3}. Nothing was changed. Run this script on {0} itself; on {3}, run the script made for {3}.' -f $NodeName, $Instance, $env:COMPUTERNAME, $localNode)
    }
}

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
        throw ('Could not read database {0} on {1} to check its Octopus schema: {2} {3}' -f $SqlDatabase, $SqlDataSource, $_.Exception.Message, ('You ({0}), the admin running this script, need db_owner of it.' -f $CurrentUser))
    }
    finally {
        $connection.Dispose()
    }
}

# Everything this script prints is kept in a transcript. The script prints
# no secret, so none reaches the transcript.
$LogDir = [System.IO.Path]::Combine($env:ProgramData, 'octoha', 'logs')
$LogFile = [System.IO.Path]::Combine($LogDir, ('{0}-{1:yyyyMMdd-HHmmss}.log' -f $ScriptName, (Get-Date)))
$null = New-Item -ItemType 'Directory' -Path $LogDir -Force -WhatIf:$false
$null = Start-Transcript -LiteralPath $LogFile -Append -WhatIf:$false
try {
# Octopus.Server.exe must be installed, at the version every node runs
# (https://octopus.com/docs/administration/high-availability: all nodes run the same version).
$ServerExe = [System.IO.Path]::Combine($InstallDir, 'Octopus.Server.exe')
if (-not (Test-Path -LiteralPath $ServerExe -PathType 'Leaf')) {
    throw ('Octopus.Server.exe is not in {0}. Install the Octopus Server MSI, version {1}, on this machine first (msiexec /i Octopus.{1}-x64.msi /quiet RUNMANAGERONEXIT=no), then run this script again.' -f $InstallDir, $OctopusVersion)
}
$installedVersion = (Get-Item -LiteralPath $ServerExe).VersionInfo.FileVersion
if (-not ("$installedVersion" + '.').StartsWith($OctopusVersion + '.', [System.StringComparison]::Ordinal)) {
    if (-not $SkipVersionCheck) {
        throw ('Octopus.Server.exe here is version {0}, but the cluster runs {1}. Every node must run the same version: install the Octopus Server MSI, version {1}, and run this script again (or, if the answers name the version differently, run it with -SkipVersionCheck).' -f $installedVersion, $OctopusVersion)
    }
    Write-Warning ('Octopus.Server.exe here is version {0}, but the cluster runs {1}; going on because of -SkipVersionCheck. Every node must run the same version.' -f $installedVersion, $OctopusVersion)
}
if (-not (Test-Path -LiteralPath $StorageRoot -PathType 'Container')) {
    throw ('The shared folder {0} cannot be reached as {1}. Check the share and NTFS permissions, and use a UNC path: mapped drives are per user (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/path).' -f $StorageRoot, [System.Security.Principal.WindowsIdentity]::GetCurrent().Name)
}
$MarkerPath = [System.IO.Path]::Combine($StorageRoot, $MarkerFileName)
# The marker names the cluster's database, so a marker an earlier cluster
# left on the share is not taken for this one's.
$MarkerDatabase = 'Database: {0} on {1}' -f $SqlDatabase, $SqlDataSource
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

# Windows authentication: the Octopus.Server.exe commands connect as the
# admin running this script, the service as its account; both need
# db_owner (https://octopus.com/docs/installation/sql-server-database).
$SqlCredential = $null

# Whether this machine had the instance before this run: create-instance is
# skipped then, and the first node reads it before its database step.
$existing = @(Get-InstanceName -Json ((Invoke-OctopusServer -Command 'list-instances' -Arguments @('--format', 'json')) -join "`n"))
$instanceExisted = $existing -contains $Instance
if ($instanceExisted) {
    Assert-ThisNode
}
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

# create-instance names the node (--serverNodeName, https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/create-instance), and is
# skipped when the instance exists, so a second run does not make another.
$ConfigFile = [System.IO.Path]::Combine($HomeDir, $Instance + '.config')
if ($instanceExisted) {
    Write-Output ('Instance {0} already exists: already done.' -f $Instance)
}
elseif ($PSCmdlet.ShouldProcess($Instance, 'Create the Octopus Server instance')) {
    Invoke-OctopusServer -Command 'create-instance' -Arguments @('--instance', $Instance, '--config', $ConfigFile, '--home', $HomeDir, '--serverNodeName', $NodeName)
}

# database (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/database).
# octoha creates it (database.create: true): --create "creates a new empty
# database, and upgrades the database to the expected schema" and makes the
# master key (Octopus docs, database command; https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/database).
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
    $databaseArguments += '--create'
    # The service connects as its account: --grant makes it db_owner.
    $databaseArguments += @('--grant', $ServiceAccount)
}
if ($PSCmdlet.ShouldProcess($SqlDatabase, 'Point the instance at the database')) {
    $connectionString = Get-SqlConnectionString -DataSource $SqlDataSource -Database $SqlDatabase -SqlCredential $SqlCredential -Encrypt $SqlEncrypt -TrustServerCertificate $SqlTrustServerCertificate -MultiSubnetFailover $SqlMultiSubnetFailover
    Invoke-OctopusServer -Command 'database' -Arguments ($databaseArguments + @('--connectionString', $connectionString))
    $databaseArguments = $null
    if (-not (Test-OctopusSchema -ConnectionString $connectionString)) {
        throw ('database --create ran, but database {0} on {1} has no Octopus schema (no table dbo.OctopusServerNode). Nothing after the database step was changed. --create does nothing to a database that already exists (Octopus docs): if your DBA made this one, set database.create: false in the answers, export again and run the new script, which sends --upgrade.' -f $SqlDatabase, $SqlDataSource)
    }
    $connectionString = $null
    if (-not (Test-InstanceMasterKey)) {
        throw ('The database step ran, but show-master-key prints no master key for the instance {0}. Nothing after the database step was changed. Read the output of Octopus.Server.exe above, then run this script again.' -f $Instance)
    }
    if (-not $databaseDone) {
        Set-Content -LiteralPath $DatabaseRecord -Value @('Written by octoha install-first-node.ps1 after its database step succeeded. It holds no secret.', $MarkerDatabase) -Encoding 'UTF8'
    }
}

# webListenPrefixes: localhost, this node's name, and the public name,
# because the balancer forwards the public Host header (https://octopus.com/docs/installation/load-balancers/use-nginx-as-reverse-proxy;
# that HTTP.sys needs the public name here is [INFER], unverified).
$prefixes = @(
    ('http://localhost:{0}/' -f $WebPort)
    ('http://{0}:{1}/' -f $NodeHost, $WebPort)
    ('http://{0}:{1}/' -f $PublicHost, $WebPort)
)
# TLS ends at the balancer, so the node serves plain HTTP (--webForceSSL False).
$configureArguments = @('--instance', $Instance, '--webListenPrefixes', ($prefixes -join ','), '--commsListenPort', $CommsPort, '--webForceSSL', 'False')
if ($TrustedProxies.Count -gt 0) {
    # Audit events then show client addresses, not the balancer's (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/configure).
    $configureArguments += @('--trustedProxies', ($TrustedProxies -join ','))
}
if ($PSCmdlet.ShouldProcess($Instance, 'Configure web prefixes and the comms port')) {
    Invoke-OctopusServer -Command 'configure' -Arguments $configureArguments
}
# The Show-Script stops the service after configure (step 5 of
# https://octopus.com/docs/installation/automating-installation). [INFER] Before the service is installed that stop is presumably a
# no-op, so it runs only when the service exists. On a live node this stops
# Octopus until the service starts again below.
if ($null -eq (Get-Service -Name $ServiceName -ErrorAction 'Ignore')) {
    Write-Output ('The service {0} is not installed yet: nothing to stop.' -f $ServiceName)
}
elseif ($PSCmdlet.ShouldProcess($ServiceName, 'Stop the Octopus service')) {
    Invoke-OctopusServer -Command 'service' -Arguments @('--instance', $Instance, '--stop')
}

# Windows Firewall: the ports CHECKLIST.md lists for this node, inbound
# TCP from any address: the web port, for the balancer (portal, API and
# health check).
# One named rule per port, made once (https://octopus.com/docs/administration/high-availability/polling-tentacles-with-ha). -SkipFirewall
# leaves the firewall to you (Group Policy, or rules of your own).
$firewallRules = @(
    @{ Name = ('octoha-octopus-web-{0}' -f $WebPort); Port = $WebPort; DisplayName = ('Octopus Deploy Server web portal (TCP {0})' -f $WebPort) }
)
if ($SkipFirewall) {
    Write-Output ('Windows Firewall is left alone (-SkipFirewall): allow inbound TCP {0} to this node yourself.' -f (@($firewallRules | ForEach-Object { $_.Port }) -join ' and '))
}
else {
    foreach ($rule in $firewallRules) {
        if ($null -ne (Get-NetFirewallRule -Name $rule.Name -ErrorAction 'Ignore')) {
            Write-Output ('Firewall rule {0}: already done.' -f $rule.Name)
        }
        elseif ($PSCmdlet.ShouldProcess($rule.Name, ('Allow inbound TCP {0}' -f $rule.Port))) {
            $null = New-NetFirewallRule -Name $rule.Name -DisplayName $rule.DisplayName -Description ('Made by octoha for Octopus Deploy node {0}.' -f $NodeName) -Direction 'Inbound' -Protocol 'TCP' -LocalPort $rule.Port -Action 'Allow'
        }
    }
}

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
    Write-Output 'The shared folders: already set (the marker file names this database). Change them in the web portal, or run this script with -ReapplyClusterSettings to send the answers'' values again.'
}
else {
    # Sub-folders left out of the answers fall under --clusterShared.
    $pathArguments = @('--instance', $Instance, '--clusterShared', $StorageRoot)
    if ($PSCmdlet.ShouldProcess($StorageRoot, 'Point the cluster at the shared folder')) {
        Invoke-OctopusServer -Command 'path' -Arguments $pathArguments
    }
    if ($TaskCap -gt 0 -and $PSCmdlet.ShouldProcess($NodeName, 'Set the task cap')) {
        Invoke-OctopusServer -Command 'node' -Arguments @('--instance', $Instance, '--taskCap', $TaskCap)
    }
}

# Never --dependOn MSSQLSERVER, which the wizard's Show-Script adds: SQL
# Server is remote in a cluster, so the dependency would be wrong [INFER]
# (the Show-Script: https://octopus.com/docs/installation/automating-installation).
if ($PSCmdlet.ShouldProcess($ServiceName, 'Install and start the service as the service account')) {
    # The password goes through the documented OCTOPUS_SERVICE_PASSWORD
    # variable, not the command line (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line), and is cleared after.
    $env:OCTOPUS_SERVICE_PASSWORD = [System.Net.NetworkCredential]::new('', $ServicePassword).Password
    try {
        Invoke-OctopusServer -Command 'service' -Arguments @('--instance', $Instance, '--install', '--reconfigure', '--start', '--username', $ServiceAccount)
    }
    finally {
        Remove-Item -LiteralPath 'Env:OCTOPUS_SERVICE_PASSWORD' -ErrorAction 'SilentlyContinue' -WhatIf:$false
    }
}

if ($PSCmdlet.ShouldProcess($NodeName, 'Wait for the node to answer its ping URL')) {
    Wait-OctopusNode -Port $WebPort
}

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
    # Under -WhatIf, Stop-Transcript (which takes -WhatIf from PowerShell 7.4
    # on; Windows PowerShell 5.1's has none) would only say what it would do,
    # and leave the transcript recording the rest of the session.
    $WhatIfPreference = $false
    $null = Stop-Transcript
}
