#Requires -Version 5.1
#Requires -RunAsAdministrator

<#
.SYNOPSIS
    Step 1 of the upgrade from 2026.4.6909 to 2026.5.1000: checks, then maintenance mode on (octoha).
.DESCRIPTION
    Run this on any machine with PowerShell that reaches every node's web
    port and the cluster's public URL (a node or a jump box). It follows the
    High Availability part of the Octopus upgrade guide
    (https://octopus.com/docs/administration/upgrading/guide/upgrading-minor-and-patch-releases)
    up to the point where the nodes stop. Before anything changes it checks:

    - every node answers GET /api with the version the cluster runs,
      2026.4.6909 (the version octopus.version names);
    - the MSI at -MsiPath is Octopus Server 2026.5.1000 (its
      ProductVersion, read through the Windows Installer);
    - that you have backed up the database and the master key
      (-ConfirmBackup): the guide backs up the database, and the master key
      and the licence key, before an upgrade. Without -ConfirmBackup the
      script stops here, and says what to back up.

    Then it puts Octopus into maintenance mode (PUT
    /api/maintenanceconfiguration, as
    https://octopus.com/docs/administration/upgrading/guide/automate-upgrades
    does), so that only administrators can change anything while the nodes
    are upgraded.

    Safe to run twice: maintenance mode already on is left on. Once a node
    has stopped this script can no longer check it: go on with the steps of
    UPGRADE.md from the one you reached. Run it with -WhatIf to see every
    step first. The run is logged under $env:ProgramData\octoha\logs; the
    API key goes only into the X-Octopus-ApiKey header of its web requests.
.PARAMETER MsiPath
    The Octopus Server MSI for 2026.5.1000 (Octopus.2026.5.1000-x64.msi from
    https://octopus.com/downloads), on this machine or a share.
.PARAMETER ApiKey
    An Octopus API key (API-...) of an administrator, for maintenance mode.
.PARAMETER ConfirmBackup
    Say that the database backup and the master key backup exist. The
    script cannot see them; it stops before any change until you say so.
.EXAMPLE
    $key = Read-Host -AsSecureString -Prompt 'Octopus API key'
    .\upgrade-preflight.ps1 -MsiPath '\\fs01\installers\Octopus.2026.5.1000-x64.msi' -ApiKey $key -ConfirmBackup
.EXAMPLE
    .\upgrade-preflight.ps1 -MsiPath .\Octopus.2026.5.1000-x64.msi -ApiKey $key -WhatIf
    Checks everything and shows what would change, changing nothing.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)]
    [string] $MsiPath,
    [Parameter(Mandatory)]
    [SecureString] $ApiKey,
    [switch] $ConfirmBackup
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ScriptName = 'upgrade-preflight'

# Values from the octoha answers file: the version the cluster runs, and the
# version it is upgraded to.
$CurrentVersion = '2026.4.6909'
$TargetVersion = '2026.5.1000'
$Instance = 'OctopusServer'
$ServerExePath = 'C:\Program Files\Octopus Deploy\Octopus\Octopus.Server.exe'
$SqlServer = 'sql01.corp.local'
$SqlDatabase = 'Octopus'
# The cluster's public URL, for maintenance mode, and each node's own web
# address, for its version.
$ServerUrl = 'https://octopus.corp.local'
$Nodes = @(
    @{ Name = 'OCTO1'; Url = 'http://octo1.corp.local:80' }
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

function Get-MsiProductVersion {
    <#
    .SYNOPSIS
        The ProductVersion property of an MSI package.
    .DESCRIPTION
        Read through the Windows Installer's automation interface
        (Installer.OpenDatabase, Database.OpenView, View.Execute, View.Fetch,
        Record.StringData: https://learn.microsoft.com/windows/win32/msi/installer-opendatabase).
        The interface has no type library PowerShell can bind to, so each
        member is called through InvokeMember. Mode 0 opens the package
        read-only.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [string] $Path
    )
    $installer = New-Object -ComObject 'WindowsInstaller.Installer'
    $method = [System.Reflection.BindingFlags]::InvokeMethod
    $database = $installer.GetType().InvokeMember('OpenDatabase', $method, $null, $installer, @($Path, 0))
    $view = $database.GetType().InvokeMember('OpenView', $method, $null, $database, @('SELECT `Value` FROM `Property` WHERE `Property` = ''ProductVersion'''))
    $null = $view.GetType().InvokeMember('Execute', $method, $null, $view, $null)
    $record = $view.GetType().InvokeMember('Fetch', $method, $null, $view, $null)
    if ($null -eq $record) {
        throw ('{0} has no ProductVersion: it is not an MSI package.' -f $Path)
    }
    $version = $record.GetType().InvokeMember('StringData', [System.Reflection.BindingFlags]::GetProperty, $null, $record, @(1))
    $null = $view.GetType().InvokeMember('Close', $method, $null, $view, $null)
    return [string] $version
}

# Everything this script prints is kept in a transcript. The script prints
# no secret, so none reaches the transcript.
$LogDir = [System.IO.Path]::Combine($env:ProgramData, 'octoha', 'logs')
$LogFile = [System.IO.Path]::Combine($LogDir, ('{0}-{1:yyyyMMdd-HHmmss}.log' -f $ScriptName, (Get-Date)))
$null = New-Item -ItemType 'Directory' -Path $LogDir -Force -WhatIf:$false
$null = Start-Transcript -LiteralPath $LogFile -Append -WhatIf:$false
try {
# Windows PowerShell 5.1 offers only SSL 3 and TLS 1.0 by default; the
# balancer in front of the cluster requires TLS 1.2.
[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
$headers = @{ 'X-Octopus-ApiKey' = [System.Net.NetworkCredential]::new('', $ApiKey).Password }

foreach ($node in $Nodes) {
    $version = Get-NodeVersion -Url $node.Url
    if ($null -eq $version) {
        throw ('Node {0} does not answer at {1}/api. Every node must run {2} before the upgrade starts; if you already stopped nodes for this upgrade, this step is done: go on with UPGRADE.md from the step you reached.' -f $node.Name, $node.Url, $CurrentVersion)
    }
    if (Test-VersionNames -Version $TargetVersion -Installed $version) {
        throw ('Node {0} already runs {1}: the upgrade has begun. Go on with UPGRADE.md from the step you reached.' -f $node.Name, $version)
    }
    if (-not (Test-VersionNames -Version $CurrentVersion -Installed $version)) {
        throw ('Node {0} runs {1}, not {2} (octopus.version in the answers). Every node must run the same version: bring the answers and the nodes in line first. Nothing was changed.' -f $node.Name, $version, $CurrentVersion)
    }
    Write-Output ('Node {0} runs {1}.' -f $node.Name, $version)
}

if (-not (Test-Path -LiteralPath $MsiPath -PathType 'Leaf')) {
    throw ('There is no file {0}. Download the Octopus Server MSI for {1} (https://octopus.com/downloads) and pass its path as -MsiPath. Nothing was changed.' -f $MsiPath, $TargetVersion)
}
$msiVersion = Get-MsiProductVersion -Path $MsiPath
if (-not (Test-VersionNames -Version $TargetVersion -Installed $msiVersion)) {
    throw ('{0} is version {1}, not {2}. Pass the MSI for {2} as -MsiPath. Nothing was changed.' -f $MsiPath, $msiVersion, $TargetVersion)
}
Write-Output ('{0} is Octopus Server {1}.' -f $MsiPath, $msiVersion)

if (-not $ConfirmBackup) {
    $backup = 'Back up the database {0} on {1} (a full SQL Server backup), the master key (on any node: & {2} show-master-key --instance {3}) and the licence key, then run this again with -ConfirmBackup (https://octopus.com/docs/administration/upgrading/guide/upgrading-minor-and-patch-releases).' -f $SqlDatabase, $SqlServer, (ConvertTo-PowerShellLiteral -Value $ServerExePath), (ConvertTo-PowerShellLiteral -Value $Instance)
    if (-not $WhatIfPreference) {
        throw ('Stopped before any change. ' + $backup)
    }
    Write-Warning $backup
}

$maintenanceUri = $ServerUrl.TrimEnd('/') + '/api/maintenanceconfiguration'
if (Test-MaintenanceMode -Uri $maintenanceUri -Headers $headers) {
    Write-Output 'Maintenance mode is on: already done.'
}
elseif ($PSCmdlet.ShouldProcess($ServerUrl, 'Turn maintenance mode on')) {
    Set-MaintenanceMode -Uri $maintenanceUri -Headers $headers -On $true
    Write-Output 'Maintenance mode is on.'
}
Write-Outcome -Done @('The checks passed and maintenance mode is on. Next, on every node: its upgrade-stop-NODE.ps1 (UPGRADE.md, step 2).')
}
finally {
    # The headers hold the API key in plain text: drop them on every way out.
    $headers = $null
    # Under -WhatIf, Stop-Transcript (which takes -WhatIf from PowerShell 7.4
    # on; Windows PowerShell 5.1's has none) would only say what it would do,
    # and leave the transcript recording the rest of the session.
    $WhatIfPreference = $false
    $null = Stop-Transcript
}
