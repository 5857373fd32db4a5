#Requires -Version 5.1
#Requires -RunAsAdministrator

<#
.SYNOPSIS
    Step 2 of the upgrade to 2026.5.1000: drains and stops node OCTO1 (octoha).
.DESCRIPTION
    Run this on node OCTO1, after upgrade-preflight.ps1, and run the
    script of every other node too: the upgrade guide stops every node
    before any node is upgraded, so that no node running 2026.4.6909
    touches the upgraded database
    (https://octopus.com/docs/administration/upgrading/guide/upgrading-minor-and-patch-releases).

    It drains the node (no new tasks; running ones may finish, for up to
    -WaitSeconds), then stops the Octopus service, with the commands of
    https://octopus.com/docs/administration/upgrading/guide/automate-upgrades
    (node --drain=true --wait, service --stop). The node stays drained
    until its upgrade-install script undrains it.

    Safe to run twice: a stopped service is left stopped. Run it with
    -WhatIf to see every step first. The run is logged under
    $env:ProgramData\octoha\logs; this script handles no secret.
.PARAMETER WaitSeconds
    How long node --drain waits for running tasks (--wait).
.PARAMETER CancelTasks
    Cancel the tasks still running when the wait ends (--cancel-tasks).
    Without it, tasks still running when the service stops are cut off.
.PARAMETER CancelWaitSeconds
    How long to wait for cancelled tasks to stop (--cancel-wait). The flag
    exists from May 2024 (https://github.com/OctopusDeploy/Issues/issues/8785; its first build is not known):
    leave it at 0 on older builds, and the flag is not passed.
.EXAMPLE
    .\upgrade-stop-OCTO1.ps1 -WaitSeconds 300
    Drains, waits up to five minutes for running tasks, then stops the service.
.EXAMPLE
    .\upgrade-stop-OCTO1.ps1 -WaitSeconds 300 -CancelTasks
.EXAMPLE
    .\upgrade-stop-OCTO1.ps1 -WhatIf
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [ValidateRange(0, 86400)]
    [int] $WaitSeconds = 300,
    [switch] $CancelTasks,
    [ValidateRange(0, 86400)]
    [int] $CancelWaitSeconds = 0
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ScriptName = 'upgrade-stop-node'

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
$WaitBugFixed = $true

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

function Get-DrainArgument {
    <#
    .SYNOPSIS
        The arguments of node --drain=true for this node: the wait, and
        what becomes of the tasks still running at its end.
    .DESCRIPTION
        node --drain=true --wait=<s> [--cancel-tasks] [--cancel-wait=<s>]
        (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/node).
        Warns when the version the node runs, Version, may end a long wait
        early.
    #>
    [CmdletBinding()]
    [OutputType([string[]])]
    param(
        [Parameter(Mandatory)]
        [string] $Version
    )
    $arguments = @('--instance', $Instance, '--drain=true', ('--wait={0}' -f $WaitSeconds))
    if ($CancelTasks) {
        $arguments += '--cancel-tasks'
    }
    if ($CancelWaitSeconds -gt 0) {
        $arguments += ('--cancel-wait={0}' -f $CancelWaitSeconds)
    }
    if (-not $WaitBugFixed -and $WaitSeconds -gt 300) {
        Write-Warning ('Octopus {0} may end a drain wait over 300 seconds early (fixed in {1}, https://github.com/OctopusDeploy/Issues/issues/9561).' -f $Version, '2025.3.10568')
    }
    return $arguments
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

# Upgrading the MSI upgrades every instance on the machine, so the upgrade
# guide stops them all
# (https://octopus.com/docs/administration/upgrading/guide/automate-upgrades).
$others = @($instances | Where-Object { $_ -ne $Instance })
if ($others.Count -gt 0) {
    Write-Warning ('This machine has other Octopus Server instances too ({0}): the MSI upgrades them all, so stop them as well before the install.' -f ($others -join ', '))
}

$status = Get-ServiceStatus
if ($status -eq '') {
    throw ('The service {0} is not installed on this machine. Nothing was changed. Run this on node {1} itself.' -f $ServiceName, $NodeName)
}
if ($status -ne 'Running') {
    Write-Output ('The service {0} is {1}: the node is already stopped.' -f $ServiceName, $status)
}
else {
    $drainArguments = @(Get-DrainArgument -Version $CurrentVersion)
    if ($PSCmdlet.ShouldProcess($NodeName, ('Drain the node and wait up to {0} seconds for its tasks' -f $WaitSeconds))) {
        Invoke-OctopusServer -Command 'node' -Arguments $drainArguments
    }
    if ($PSCmdlet.ShouldProcess($ServiceName, 'Stop the Octopus service')) {
        Invoke-OctopusServer -Command 'service' -Arguments @('--instance', $Instance, '--stop')
        $status = Get-ServiceStatus
        if ($status -eq 'Running') {
            throw ('service --stop ran, but the service {0} still runs. Stop it in services.msc, then run this again.' -f $ServiceName)
        }
    }
}
Write-Outcome -Done @(('Node {0} is drained and stopped. Once every node is stopped, back up the database, then run upgrade-install-{1}.ps1 on the first node (UPGRADE.md, steps 3 and 4).' -f $NodeName, $FirstNodeName))
}
finally {
    # Under -WhatIf, Stop-Transcript (which takes -WhatIf from PowerShell 7.4
    # on; Windows PowerShell 5.1's has none) would only say what it would do,
    # and leave the transcript recording the rest of the session.
    $WhatIfPreference = $false
    $null = Stop-Transcript
}
