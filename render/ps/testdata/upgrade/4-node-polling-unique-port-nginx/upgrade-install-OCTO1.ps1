#Requires -Version 5.1
#Requires -RunAsAdministrator

<#
.SYNOPSIS
    Step 4 of the upgrade to 2026.5.1000: installs it on the first node, OCTO1, and upgrades the database (octoha).
.DESCRIPTION
    Run this on node OCTO1, once its upgrade-stop script has stopped it.
    It follows the High Availability part of the upgrade guide
    (https://octopus.com/docs/administration/upgrading/guide/upgrading-minor-and-patch-releases):
    one node is upgraded first and upgrades the database; upgrading every
    node at once "will most likely lead to deadlocks in the database". So
    before it installs anything it checks that every other node
    (OCTO2, OCTO3, OCTO4) is stopped: their ping URLs must not answer, and
    it refuses while one does.

    It installs the MSI quietly (msiexec /i <msi> /quiet), checks that
    Octopus.Server.exe is then 2026.5.1000, upgrades the database schema
    once (database --upgrade), starts the service, waits until the node's
    ping URL answers, and undrains it (node --drain=false), the commands of
    https://octopus.com/docs/administration/upgrading/guide/automate-upgrades.

    Safe to run twice, and again after a failure at any step: it reads the
    installed FileVersion, the service's state and the ping before each
    step, and skips what is done. Run it with -WhatIf to see every step
    first. The run is logged under $env:ProgramData\octoha\logs, and
    msiexec's own log next to it; this script handles no secret.
.PARAMETER MsiPath
    The Octopus Server MSI for 2026.5.1000, as upgrade-preflight.ps1 checked it.
.EXAMPLE
    .\upgrade-install-OCTO1.ps1 -MsiPath '\\fs01\installers\Octopus.2026.5.1000-x64.msi'
.EXAMPLE
    .\upgrade-install-OCTO1.ps1 -MsiPath .\Octopus.2026.5.1000-x64.msi -WhatIf
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)]
    [string] $MsiPath
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ScriptName = 'upgrade-install-node'

# Values from the octoha answers file: the version the cluster runs, and the
# version it is upgraded to.
$CurrentVersion = '2026.4.6909'
$TargetVersion = '2026.5.1000'
$Instance = 'OctopusServer'
$InstallDir = 'C:\Program Files\Octopus Deploy\Octopus'
$HomeDir = 'C:\Octopus'
$NodeName = 'OCTO1'
$ServiceName = 'OctopusDeploy'
$FirstNodeName = 'OCTO1'
$SqlDatabase = 'Octopus'
$StopScriptFile = 'upgrade-stop-OCTO1.ps1'
# This node's own web address, and the nodes that must not run the old
# version while this one is upgraded.
$LocalUrl = 'http://localhost:80'
$OtherNodes = @(
    @{ Name = 'OCTO2'; Url = 'http://octo2.corp.local:80' }
    @{ Name = 'OCTO3'; Url = 'http://octo3.corp.local:80' }
    @{ Name = 'OCTO4'; Url = 'http://octo4.corp.local:80' }
)

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

function Test-VersionNames {
    <#
    .SYNOPSIS
        True when an installed or reported version is the version named:
        the same dotted parts as far as the name goes (steps.VersionNames),
        so a name X.Y names every X.Y.Z build.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)]
        [string] $Version,
        [AllowEmptyString()]
        [string] $Installed
    )
    return ("$Installed".Trim() + '.').StartsWith($Version + '.', [System.StringComparison]::Ordinal)
}

function Get-NodeVersion {
    <#
    .SYNOPSIS
        The Octopus version a node reports at GET /api (its Version), or
        $null when it does not answer.
    .DESCRIPTION
        The API's root document needs no API key and carries the server's
        Version (https://octopus.com/docs/administration/upgrading/guide/automate-upgrades
        reads it the same way).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [string] $Url
    )
    try {
        $root = Invoke-RestMethod -Uri ($Url.TrimEnd('/') + '/api') -UseBasicParsing -TimeoutSec 30
    }
    catch {
        Write-Verbose -Message ('{0}/api: {1}' -f $Url, $_.Exception.Message)
        return $null
    }
    if ($null -eq $root -or $null -eq $root.PSObject.Properties['Version']) {
        throw ('{0}/api answered without a Version: is this an Octopus Server node?' -f $Url)
    }
    return [string] $root.Version
}

function Test-NodeRunning {
    <#
    .SYNOPSIS
        True when a node's ping URL answers 200 (up) or 418 (up and
        draining), https://octopus.com/docs/installation/load-balancers.
    .DESCRIPTION
        [INFER] A node whose service is stopped does not answer at all, and
        a node that cannot serve answers neither 200 nor 418: both count as
        not running.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)]
        [string] $Url
    )
    $status = 0
    try {
        $status = [int] (Invoke-WebRequest -Uri ($Url.TrimEnd('/') + '/api/octopusservernodes/ping') -UseBasicParsing -TimeoutSec 10).StatusCode
    }
    catch {
        # The status of a non-2xx answer is on the exception's Response in
        # both editions; it is missing when nothing answered.
        $response = $_.Exception.PSObject.Properties['Response']
        if ($null -ne $response -and $null -ne $response.Value) {
            $status = [int] $response.Value.StatusCode
        }
    }
    return ($status -eq 200 -or $status -eq 418)
}

function Test-MaintenanceMode {
    <#
    .SYNOPSIS
        Whether Octopus is in maintenance mode: GET
        /api/maintenanceconfiguration, IsInMaintenanceMode
        (https://octopus.com/docs/administration/upgrading/guide/automate-upgrades).
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)]
        [string] $Uri,
        [Parameter(Mandatory)]
        [hashtable] $Headers
    )
    $configuration = Invoke-RestMethod -Uri $Uri -Headers $Headers -UseBasicParsing -TimeoutSec 30
    if ($null -eq $configuration -or $null -eq $configuration.PSObject.Properties['IsInMaintenanceMode']) {
        throw ('{0} answered without IsInMaintenanceMode; turn maintenance mode on or off in Configuration > Maintenance instead.' -f $Uri)
    }
    return [bool] $configuration.IsInMaintenanceMode
}

function Set-MaintenanceMode {
    <#
    .SYNOPSIS
        Turns maintenance mode on or off: PUT /api/maintenanceconfiguration
        with Id maintenance and IsInMaintenanceMode
        (https://octopus.com/docs/administration/upgrading/guide/automate-upgrades).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string] $Uri,
        [Parameter(Mandatory)]
        [hashtable] $Headers,
        [Parameter(Mandatory)]
        [bool] $On
    )
    $body = ConvertTo-Json -InputObject @{ Id = 'maintenance'; IsInMaintenanceMode = $On } -Compress
    $null = Invoke-RestMethod -Method 'Put' -Uri $Uri -Headers $Headers -Body $body -ContentType 'application/json' -UseBasicParsing -TimeoutSec 30
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

function Get-ServiceStatus {
    <#
    .SYNOPSIS
        The Octopus service's status (Running, Stopped, ...), or '' when it
        is not installed.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $service = Get-Service -ErrorAction 'Ignore' | Where-Object { $_.Name -eq $ServiceName }
    if ($null -eq $service) {
        return ''
    }
    return [string] $service.Status
}

function Get-InstalledVersion {
    <#
    .SYNOPSIS
        The FileVersion of Octopus.Server.exe on this machine.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    return [string] (Get-Item -LiteralPath $ServerExe).VersionInfo.FileVersion
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

function Assert-OthersStopped {
    <#
    .SYNOPSIS
        Throws when another node still runs the old version: its ping URL
        answers, and its /api does not report the new version.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string] $Before
    )
    # Read by key: for a node with no other node to check the list is
    # empty, and holds no hashtable whose keys the 5.1 check could see.
    $running = @(foreach ($node in $OtherNodes) {
            if ((Test-NodeRunning -Url $node['Url']) -and -not (Test-VersionNames -Version $TargetVersion -Installed (Get-NodeVersion -Url $node['Url']))) {
                $node['Name']
            }
        })
    if ($running.Count -gt 0) {
        throw ('Node(s) {0} still run, so {1} would meet nodes on {2}. Nothing more was changed. Run upgrade-stop-NODE.ps1 on each of them, then run this again.' -f ($running -join ', '), $Before, $CurrentVersion)
    }
}

function Wait-NodeUp {
    <#
    .SYNOPSIS
        Waits until this node's ping URL answers 200 (up) or 418 (up and
        drained), https://octopus.com/docs/installation/load-balancers.
    #>
    [CmdletBinding()]
    param(
        [int] $Attempts = 60
    )
    for ($attempt = 1; $attempt -le $Attempts; $attempt++) {
        if (Test-NodeRunning -Url $LocalUrl) {
            Write-Output ('Node {0} answers at {1}/api/octopusservernodes/ping.' -f $NodeName, $LocalUrl)
            return
        }
        Start-Sleep -Seconds 5
    }
    throw ('Node {0} did not answer 200 or 418 at {1}/api/octopusservernodes/ping after {2} attempts. Read the Octopus Server log in {3}, then run this again.' -f $NodeName, $LocalUrl, $Attempts, $HomeDir)
}

# Everything this script prints is kept in a transcript. The script prints
# no secret, so none reaches the transcript.
$LogDir = [System.IO.Path]::Combine($env:ProgramData, 'octoha', 'logs')
$LogFile = [System.IO.Path]::Combine($LogDir, ('{0}-{1:yyyyMMdd-HHmmss}.log' -f $ScriptName, (Get-Date)))
$null = New-Item -ItemType 'Directory' -Path $LogDir -Force -WhatIf:$false
$null = Start-Transcript -LiteralPath $LogFile -Append -WhatIf:$false
try {
# This node's instance must be here, and be the node this script is for.
$ServerExe = [System.IO.Path]::Combine($InstallDir, 'Octopus.Server.exe')
if (-not (Test-Path -LiteralPath $ServerExe -PathType 'Leaf')) {
    throw ('Octopus.Server.exe is not in {0}. Run this on node {1} itself. Nothing was changed.' -f $InstallDir, $NodeName)
}
$instances = @(Get-InstanceName -Json ((Invoke-OctopusServer -Command 'list-instances' -Arguments @('--format', 'json')) -join "`n"))
if ($instances -notcontains $Instance) {
    throw ('There is no Octopus Server instance {0} on this machine ({1}). Nothing was changed. Run this script on node {2} itself.' -f $Instance, $env:COMPUTERNAME, $NodeName)
}
Assert-ThisNode

$installed = Get-InstalledVersion
if (Test-VersionNames -Version $TargetVersion -Installed $installed) {
    Write-Output ('Octopus.Server.exe is {0}: already installed.' -f $installed)
}
else {
    if ((Get-ServiceStatus) -eq 'Running') {
        throw ('The service {0} still runs. Nothing was changed. Run {1} first.' -f $ServiceName, $StopScriptFile)
    }
    Assert-OthersStopped -Before 'installing here'
    if (-not (Test-Path -LiteralPath $MsiPath -PathType 'Leaf')) {
        throw ('There is no file {0}. Pass the Octopus Server MSI for {1} as -MsiPath. Nothing was changed.' -f $MsiPath, $TargetVersion)
    }
    if ($PSCmdlet.ShouldProcess($MsiPath, ('Install Octopus Server {0} (msiexec /quiet)' -f $TargetVersion))) {
        # msiexec is a Windows program: Start-Process -Wait waits for it, and
        # its exit code is 0, or 3010 when Windows must restart
        # (https://learn.microsoft.com/windows/win32/msi/error-codes).
        $msiLog = [System.IO.Path]::Combine($LogDir, ('msiexec-{0:yyyyMMdd-HHmmss}.log' -f (Get-Date)))
        $msiArguments = @('/i', (ConvertTo-NativeArgument -Value $MsiPath), '/quiet', '/norestart', '/l*v', (ConvertTo-NativeArgument -Value $msiLog))
        $msiexec = [System.IO.Path]::Combine($env:SystemRoot, 'System32', 'msiexec.exe')
        $process = Start-Process -FilePath $msiexec -ArgumentList $msiArguments -Wait -PassThru
        if ($process.ExitCode -eq 3010) {
            Write-Warning 'msiexec asks for a restart of Windows (3010): restart this machine after the upgrade.'
        }
        elseif ($process.ExitCode -ne 0) {
            throw ('msiexec failed with exit code {0}. Read its log, {1}, then run this again.' -f $process.ExitCode, $msiLog)
        }
        $installed = Get-InstalledVersion
        if (-not (Test-VersionNames -Version $TargetVersion -Installed $installed)) {
            throw ('msiexec ran, but Octopus.Server.exe is {0}, not {1}. Read its log, {2}.' -f $installed, $TargetVersion, $msiLog)
        }
        Write-Output ('Octopus.Server.exe is {0}.' -f $installed)
    }
}

$status = Get-ServiceStatus
# The database is upgraded once, here. The marker in this node's home
# folder says it was, so a run after a later failure does not upgrade it
# again; database --upgrade would refuse while other nodes run from
# 2023.2.9755 on, and Octopus 2026.5.1000 has that guard; the check above comes first all the same.
$upgradedMarker = [System.IO.Path]::Combine($HomeDir, ('octoha-database-upgraded-{0}.txt' -f $TargetVersion))
if (Test-Path -LiteralPath $upgradedMarker -PathType 'Leaf') {
    Write-Output ('The database was upgraded to {0} by an earlier run: already done.' -f $TargetVersion)
}
elseif ($status -eq 'Running') {
    throw ('The service {0} runs, but this script has not upgraded the database to {1}. Stop the service (service --stop), then run this again.' -f $ServiceName, $TargetVersion)
}
else {
    Assert-OthersStopped -Before 'the database upgrade'
    if ($PSCmdlet.ShouldProcess($SqlDatabase, ('Upgrade the database schema to {0} (database --upgrade)' -f $TargetVersion))) {
        Invoke-OctopusServer -Command 'database' -Arguments @('--instance', $Instance, '--upgrade')
        Set-Content -LiteralPath $upgradedMarker -Value ('Database {0} upgraded to {1} by {2} on {3:u}.' -f $SqlDatabase, $TargetVersion, $NodeName, (Get-Date)) -Encoding 'UTF8'
    }
}

if ($status -eq 'Running') {
    Write-Output ('The service {0} runs: already started.' -f $ServiceName)
}
elseif ($PSCmdlet.ShouldProcess($ServiceName, 'Start the Octopus service')) {
    Invoke-OctopusServer -Command 'service' -Arguments @('--instance', $Instance, '--start')
}
if ($PSCmdlet.ShouldProcess($NodeName, 'Wait for the node to answer, then undrain it (node --drain=false)')) {
    Wait-NodeUp
    Invoke-OctopusServer -Command 'node' -Arguments @('--instance', $Instance, '--drain=false')
}
Write-Outcome -Done @(('Node {0} runs {1} and the database is upgraded. Next, on each other node: its upgrade-install script (UPGRADE.md, step 5).' -f $NodeName, $TargetVersion))
}
finally {
    # Under -WhatIf, Stop-Transcript (which takes -WhatIf from PowerShell 7.4
    # on; Windows PowerShell 5.1's has none) would only say what it would do,
    # and leave the transcript recording the rest of the session.
    $WhatIfPreference = $false
    $null = Stop-Transcript
}
