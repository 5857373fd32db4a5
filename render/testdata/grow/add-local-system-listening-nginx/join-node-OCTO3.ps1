#Requires -Version 5.1
#Requires -RunAsAdministrator

<#
.SYNOPSIS
    Joins node OCTO3 to the Octopus Server HA cluster (octoha).
.DESCRIPTION
    Run this on node OCTO3 after install-first-node.ps1 has finished on the
    first node, and after installing the Octopus Server MSI, version
    2026.4.6909. It checks that this node sees the shared folder,
    creates the instance, points it at the cluster's database with the master
    key, configures it for the balancer, opens its ports in Windows
    Firewall, installs the service and waits for the node to answer. To rebuild this node on a fresh machine later, run
    this script there the same way.

    It never runs path, admin, license or database --create: those live in
    the shared database and would re-point or reset the whole cluster
    (https://octopus.com/docs/administration/high-availability).

    Read the master key on the first node with:
        & 'C:\Program Files\Octopus Deploy\Octopus\Octopus.Server.exe' show-master-key --instance 'OctopusServer'

    SQL Server rights. With Windows authentication the database and node
    commands connect as you, the admin running this script, not as the
    service account: you need db_owner of database Octopus on
    sql01.corp.local (the Octopus docs ask it of the user installing
    Octopus). This script makes this node's computer account
    (DOMAIN\NODE$, as which the service, running as Local System, reaches
    SQL Server [INFER]) db_owner of the database with database --grant. Reading the
    marker file on the share takes read access to it.

    Safe to run twice [INFER]: create-instance is skipped when the instance
    exists; database, configure and service are applied again with the same
    values, which the Octopus docs do not promise to be harmless. Running it
    again on a live node stops the Octopus service (service --stop) until
    the end of the run: drain the node first. Run it with -WhatIf to see
    every step first.

    The run is logged under $env:ProgramData\octoha\logs. The script prints
    no secret, so none reaches that transcript. But where the Octopus CLI
    takes a secret only as a command-line argument, it is visible to local
    administrators while the command runs, and is recorded wherever
    command-line auditing is on (Security event 4688, Sysmon event 1,
    PowerShell module logging event 4103); the CLI documents no other way
    to pass it. Here that applies to the master key.
.PARAMETER SkipFirewall
    Leave Windows Firewall alone. Without it the script allows inbound TCP
    to this node's web port (CHECKLIST.md, Firewall), in
    rules named octoha-octopus-*; use it when Group Policy or you manage
    the firewall.
.PARAMETER MasterKey
    The cluster's master key (base64 of 16 bytes), read on the first node
    with the show-master-key command above.
.PARAMETER SkipVersionCheck
    Go on when Octopus.Server.exe here is not the version the answers name
    (only a warning then). Every node must run the same version
    (https://octopus.com/docs/administration/high-availability): use it only when the versions match but are spelled differently.
.EXAMPLE
    $key = Read-Host -AsSecureString -Prompt 'Master key'
    .\join-node-OCTO3.ps1 -MasterKey $key
.EXAMPLE
    .\join-node-OCTO3.ps1 -WhatIf
    Shows every step without changing anything.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)]
    [SecureString] $MasterKey,
    [switch] $SkipFirewall,
    [switch] $SkipVersionCheck
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ScriptName = 'join-node'

# Values from the octoha answers file. Change the answers and render again
# rather than editing them here: every node's script must agree.
$OctopusVersion = '2026.4.6909'
$Instance = 'OctopusServer'
$InstallDir = 'C:\Program Files\Octopus Deploy\Octopus'
# The home folder is local to each node and never shared (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/create-instance).
$HomeDir = 'C:\Octopus'
$NodeName = 'OCTO3'
$NodeHost = 'octo3.corp.local'
$WebPort = 80
$CommsPort = 10943
$PublicHost = 'octopus.corp.local'
$ServiceName = 'OctopusDeploy'
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

function Get-ComputerAccount {
    <#
    .SYNOPSIS
        This machine's computer account, DOMAIN\NAME$, as which the service,
        running as Local System, reaches a remote SQL Server.
    .DESCRIPTION
        NAME$ is translated to its SID and back, which gives DOMAIN\NAME$
        with the domain's NetBIOS name, the form in which SQL Server names a
        Windows login. .NET's NTAccount.Translate asks the LSA
        (LsaLookupNames2, which "can look up the SID for any account in any
        domain in a Windows forest"; computer accounts included). [INFER] A
        name without a domain is found in the machine's own domain when no
        local account has it, and this is the account database --grant
        needs (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/database, --grant).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $account = New-Object -TypeName 'System.Security.Principal.NTAccount' -ArgumentList ($env:COMPUTERNAME + '$')
    try {
        $sid = $account.Translate([System.Security.Principal.SecurityIdentifier])
        return $sid.Translate([System.Security.Principal.NTAccount]).Value
    }
    catch {
        throw ('This machine''s computer account ({0}$) is not in a domain ({1}), so the Octopus service, running as Local System, cannot reach a remote SQL Server with Windows authentication. Nothing was changed. Join this machine to the domain, or set octopus.serviceAccount or SQL authentication in the answers and export again.' -f $env:COMPUTERNAME, $_.Exception.Message)
    }
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

function Test-MasterKey {
    <#
    .SYNOPSIS
        True when the key is base64 of 16 bytes (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/database).
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)]
        [SecureString] $Key
    )
    try {
        $bytes = [System.Convert]::FromBase64String([System.Net.NetworkCredential]::new('', $Key).Password)
    }
    catch {
        Write-Verbose -Message 'The master key is not base64.'
        return $false
    }
    return $bytes.Length -eq 16
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
if (-not (Test-MasterKey -Key $MasterKey)) {
    throw ('The master key is not base64 of 16 bytes (24 characters ending in ==). Read it on the first node with: & {0} show-master-key --instance {1}' -f (ConvertTo-PowerShellLiteral -Value $ServerExe), (ConvertTo-PowerShellLiteral -Value $Instance))
}

# The first node wrote this marker on the shared folder. Reading it proves
# this node sees the same share; [INFER] Octopus gives no such proof itself
# (Octopus gives no warning, https://github.com/OctopusDeploy/Issues/issues/5355). It is read as the user running this script, and
# the service account needs full control too.
if (-not (Test-Path -LiteralPath $MarkerPath -PathType 'Leaf')) {
    throw ('{0} is missing. Run install-first-node.ps1 on the first node first; if it has run, this node does not see the share the first node wrote to.' -f $MarkerPath)
}
$markerDatabaseFound = Get-ClusterMarkerDatabase -Path $MarkerPath
if ($null -eq $markerDatabaseFound) {
    Write-Warning ('The marker file {0} names no database (an older octoha wrote it): it cannot prove it belongs to this cluster.' -f $MarkerPath)
}
elseif ($markerDatabaseFound -ne $MarkerDatabase) {
    throw ('The marker file {0} says "{1}", but this cluster''s is "{2}": it was left by another cluster, or install-first-node.ps1 has not finished for this one. Run install-first-node.ps1 on the first node first.' -f $MarkerPath, $markerDatabaseFound, $MarkerDatabase)
}
Write-Output ('Read the cluster marker {0}:' -f $MarkerPath)
Get-Content -LiteralPath $MarkerPath -TotalCount 6 -Encoding 'UTF8'

# Windows authentication: the Octopus.Server.exe commands connect as the
# admin running this script, the service as its account; both need
# db_owner (https://octopus.com/docs/installation/sql-server-database).
$SqlCredential = $null
# [INFER] Local System reaches a remote SQL Server as this computer's
# account, DOMAIN\NODE$, so database --grant makes that account db_owner
# ([INFER]: the docs do not say so). Read now, before anything
# changes: a machine outside a domain stops here.
$ComputerAccount = Get-ComputerAccount

# Whether this machine had the instance before this run: create-instance is
# skipped then, and the first node reads it before its database step.
$existing = @(Get-InstanceName -Json ((Invoke-OctopusServer -Command 'list-instances' -Arguments @('--format', 'json')) -join "`n"))
$instanceExisted = $existing -contains $Instance
if ($instanceExisted) {
    Assert-ThisNode
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

# database --masterKey joins the existing database; never --create
# (https://octopus.com/docs/administration/high-availability/how-high-availability-works). The connection string (SQL password included) and the
# master key are taken only as arguments: they are visible to local
# administrators while the command runs and in command-line audit logs
# where those are enabled; the CLI documents no other way to pass them.
if ($PSCmdlet.ShouldProcess($SqlDatabase, 'Point the instance at the cluster database')) {
    # The service connects as this computer's account: --grant makes it
    # db_owner (the first node granted only its own). OctopusDSC sends
    # --grant with --masterKey and no --create the same way (its test
    # MasterKeySupplied/ExpectedResult.ps1, OctopusDSC 4.0).
    Invoke-OctopusServer -Command 'database' -Arguments @('--instance', $Instance, '--grant', $ComputerAccount, '--connectionString', (Get-SqlConnectionString -DataSource $SqlDataSource -Database $SqlDatabase -SqlCredential $SqlCredential -Encrypt $SqlEncrypt -TrustServerCertificate $SqlTrustServerCertificate -MultiSubnetFailover $SqlMultiSubnetFailover), '--masterKey', [System.Net.NetworkCredential]::new('', $MasterKey).Password)
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

# Never --dependOn MSSQLSERVER, which the wizard's Show-Script adds: SQL
# Server is remote in a cluster, so the dependency would be wrong [INFER]
# (the Show-Script: https://octopus.com/docs/installation/automating-installation).
if ($PSCmdlet.ShouldProcess($ServiceName, 'Install and start the service as Local System')) {
    Invoke-OctopusServer -Command 'service' -Arguments @('--instance', $Instance, '--install', '--reconfigure', '--start')
}

# The task cap is set once the node has registered itself, then the service
# restarts to take it (https://octopus.com/docs/administration/high-availability).
if ($TaskCap -gt 0 -and $PSCmdlet.ShouldProcess($NodeName, 'Set the task cap and restart')) {
    Invoke-OctopusServer -Command 'node' -Arguments @('--instance', $Instance, '--taskCap', $TaskCap)
    Invoke-OctopusServer -Command 'service' -Arguments @('--instance', $Instance, '--restart')
}

if ($PSCmdlet.ShouldProcess($NodeName, 'Wait for the node to answer its ping URL')) {
    Wait-OctopusNode -Port $WebPort
}
Write-Outcome -Done @(
    ('Node {0} has joined the cluster. Add it to the load balancer if it is not there yet.' -f $NodeName)
)
}
finally {
    # Under -WhatIf, Stop-Transcript (which takes -WhatIf from PowerShell 7.4
    # on; Windows PowerShell 5.1's has none) would only say what it would do,
    # and leave the transcript recording the rest of the session.
    $WhatIfPreference = $false
    $null = Stop-Transcript
}
