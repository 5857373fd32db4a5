#Requires -Version 5.1
#Requires -RunAsAdministrator

<#
.SYNOPSIS
    Takes node OCTO1 out of the Octopus Server HA cluster (octoha).
.DESCRIPTION
    Run this on node OCTO1. It drains the node (no new tasks; running
    ones may finish), waits for its tasks, stops the Octopus service, sets the
    service to Disabled, and deletes the node's record from the cluster
    (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/node).

    The order matters: a deleted node that is still running adds itself
    back within about 60 seconds, so the service is stopped, and disabled so
    a reboot cannot start it, before the record is deleted.

    With -ApiKey the script watches the node's running tasks through the
    cluster's API and deletes the record itself (DELETE
    /api/octopusservernodes/<id>). Without it, the script cannot see the
    tasks: it asks before it stops the service (-Force does not ask), and
    you delete the record by hand once the script has finished:
    Configuration > Nodes, the node's menu, Delete.

    Safe to run twice. Run it with -WhatIf to see every step first. The run
    is logged under $env:ProgramData\octoha\logs. The script prints no
    secret: the API key goes only into the X-Octopus-ApiKey header of its
    web requests, never onto a command line.
.PARAMETER WaitSeconds
    How long node --drain waits for running tasks (--wait). With -ApiKey
    the script then watches the node's tasks itself for up to WaitSeconds
    plus CancelWaitSeconds plus a minute, so the whole wait can be about
    twice WaitSeconds.
.PARAMETER CancelTasks
    Cancel the tasks still running when the wait ends (--cancel-tasks).
.PARAMETER CancelWaitSeconds
    How long to wait for cancelled tasks to stop (--cancel-wait). The flag
    exists from May 2024 (https://github.com/OctopusDeploy/Issues/issues/8785; its first build is not known):
    leave it at 0 on older builds, and the flag is not passed.
.PARAMETER ApiKey
    Optional. An Octopus API key (API-...) of an administrator: the script
    then checks the node's running tasks and deletes its record.
.PARAMETER Force
    Without -ApiKey, stop the service without asking first. Use it once you
    have checked in Configuration > Nodes that the node runs no task.
.EXAMPLE
    .\drain-node-OCTO1.ps1 -WaitSeconds 600
    Drains, waits up to ten minutes, asks, then stops the service; delete the record by hand.
.EXAMPLE
    $key = Read-Host -AsSecureString -Prompt 'Octopus API key'
    .\drain-node-OCTO1.ps1 -ApiKey $key -WaitSeconds 1800 -CancelTasks
.EXAMPLE
    .\drain-node-OCTO1.ps1 -WhatIf
    Shows every step without changing anything.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [ValidateRange(0, 86400)]
    [int] $WaitSeconds = 600,
    [switch] $CancelTasks,
    [ValidateRange(0, 86400)]
    [int] $CancelWaitSeconds = 0,
    [SecureString] $ApiKey,
    [switch] $Force
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ScriptName = 'drain-node'

# Values from the octoha answers file.
$OctopusVersion = '2026.4.6909'
$Instance = 'OctopusServer'
$InstallDir = 'C:\Program Files\Octopus Deploy\Octopus'
$NodeName = 'OCTO1'
$ServiceName = 'OctopusDeploy'
# The cluster's public URL: the API stays reachable through the other
# nodes after this one stops.
$ServerUrl = 'https://octopus.corp.local'
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

function Get-ClusterNode {
    <#
    .SYNOPSIS
        This node's entry in /api/octopusservernodes/summary, or $null.
    .DESCRIPTION
        The summary lists Nodes with Id, Name and RunningTaskCount
        (the shape is from Octopus.Client, not the docs: https://github.com/OctopusDeploy/OctopusClients).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [hashtable] $Headers
    )
    $uri = $ServerUrl.TrimEnd('/') + '/api/octopusservernodes/summary'
    $summary = Invoke-RestMethod -Uri $uri -Headers $Headers -UseBasicParsing -TimeoutSec 30
    # Under Set-StrictMode a missing field would throw a bare "property
    # cannot be found": check each field first and say what was expected.
    if ($null -eq $summary -or $null -eq $summary.PSObject.Properties['Nodes']) {
        throw ('{0} answered without a Nodes list; this Octopus version may shape its node summary differently (https://github.com/OctopusDeploy/OctopusClients). Check the node in Configuration > Nodes and delete its record there.' -f $uri)
    }
    foreach ($node in @($summary.Nodes)) {
        if ($null -eq $node -or $null -eq $node.PSObject.Properties['Name']) {
            continue
        }
        if ($node.Name -ne $NodeName) {
            continue
        }
        foreach ($field in @('Id', 'RunningTaskCount')) {
            if ($null -eq $node.PSObject.Properties[$field]) {
                throw ('{0} lists node {1} without its {2} field; this Octopus version may shape its node summary differently (https://github.com/OctopusDeploy/OctopusClients). Check the node in Configuration > Nodes and delete its record there.' -f $uri, $NodeName, $field)
            }
        }
        return $node
    }
    return $null
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
$ServerExe = [System.IO.Path]::Combine($InstallDir, 'Octopus.Server.exe')
if (-not (Test-Path -LiteralPath $ServerExe -PathType 'Leaf')) {
    throw ('Octopus.Server.exe is not in {0}. Run this on node {1} itself.' -f $InstallDir, $NodeName)
}
$existing = @(Get-InstanceName -Json ((Invoke-OctopusServer -Command 'list-instances' -Arguments @('--format', 'json')) -join "`n"))
if ($existing -notcontains $Instance) {
    throw ('There is no Octopus Server instance {0} on this machine ({1}). Nothing was changed. Run this script on node {2} itself.' -f $Instance, $env:COMPUTERNAME, $NodeName)
}
Assert-ThisNode
$headers = $null
if ($null -ne $ApiKey) {
    $headers = @{ 'X-Octopus-ApiKey' = [System.Net.NetworkCredential]::new('', $ApiKey).Password }
    # Windows PowerShell 5.1 offers only SSL 3 and TLS 1.0 by default; the
    # balancer in front of the cluster requires TLS 1.2. (PowerShell 7's web
    # cmdlets ignore this setting and already offer TLS 1.2.)
    [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
}

$service = Get-Service -ErrorAction 'Ignore' | Where-Object { $_.Name -eq $ServiceName }
if ($null -eq $service -or $service.Status -ne 'Running') {
    Write-Output ('The service {0} is not running: the node is already stopped, no drain needed.' -f $ServiceName)
}
else {
    # While draining, running tasks finish, no new ones start, and the ping
    # URL answers 418, so the balancer's health check sends users elsewhere.
    $drainArguments = @(Get-DrainArgument -Version $OctopusVersion)
    if ($PSCmdlet.ShouldProcess($NodeName, ('Drain the node and wait up to {0} seconds for its tasks' -f $WaitSeconds))) {
        # [INFER] node --drain is taken to exit 0 when its wait ends with
        # tasks still running (also when an older build cuts the wait
        # short), so the script goes on to its own wait or question below
        # (the node command docs are silent,
        # https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/node).
        # If it exits non-zero instead, the script stops here and the service stays up.
        Invoke-OctopusServer -Command 'node' -Arguments $drainArguments
    }

    if ($null -eq $headers) {
        Write-Warning ('Without -ApiKey this script cannot see the tasks of node {0}. Check in Configuration > Nodes that it runs none before the service stops.' -f $NodeName)
    }
    elseif ($PSCmdlet.ShouldProcess($NodeName, 'Wait until the node runs no task')) {
        $deadline = (Get-Date).AddSeconds($WaitSeconds + $CancelWaitSeconds + 60)
        while ($true) {
            $node = Get-ClusterNode -Headers $headers
            if ($null -eq $node) {
                throw ('The cluster lists no node called {0}. Check the node name in Configuration > Nodes.' -f $NodeName)
            }
            if ($node.RunningTaskCount -eq 0) {
                Write-Output ('Node {0} runs no task.' -f $NodeName)
                break
            }
            if ((Get-Date) -gt $deadline) {
                throw ('Node {0} still runs {1} task(s); the service stays up. Run this again with a longer -WaitSeconds, or with -CancelTasks.' -f $NodeName, $node.RunningTaskCount)
            }
            Start-Sleep -Seconds 10
        }
    }

    if ($PSCmdlet.ShouldProcess($ServiceName, 'Stop the Octopus service')) {
        # Without -ApiKey nothing above proved the node idle: ask first
        # (-Force skips the question, as PSScriptAnalyzer's
        # AvoidShouldContinueWithoutForce asks). Asked here, so -WhatIf
        # asks nothing.
        if ($null -eq $headers -and -not $Force -and -not $PSCmdlet.ShouldContinue('Stop the service now? Tasks still running on this node are cut off.', $NodeName)) {
            throw ('Stopped before the service: node {0} stays drained and running. Check Configuration > Nodes, then run this again with -Force.' -f $NodeName)
        }
        Invoke-OctopusServer -Command 'service' -Arguments @('--instance', $Instance, '--stop')
    }
}

# [INFER] A stopped node that starts again (a reboot) re-adds its record
# (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/node), so the service must not start on its own.
$service = Get-Service -ErrorAction 'Ignore' | Where-Object { $_.Name -eq $ServiceName }
if ($null -ne $service -and $PSCmdlet.ShouldProcess($ServiceName, 'Set the service to Disabled')) {
    Set-Service -Name $ServiceName -StartupType 'Disabled'
}

$done = @()
if ($null -eq $headers) {
    $done += ('Now delete node {0} in the Octopus web portal: Configuration > Nodes, its menu, Delete.' -f $NodeName)
}
elseif ($PSCmdlet.ShouldProcess($NodeName, 'Delete the node record')) {
    $node = Get-ClusterNode -Headers $headers
    if ($null -eq $node) {
        Write-Output ('The cluster lists no node called {0}: already done.' -f $NodeName)
    }
    else {
        $uri = $ServerUrl.TrimEnd('/') + '/api/octopusservernodes/' + [uri]::EscapeDataString([string] $node.Id)
        $null = Invoke-RestMethod -Method 'Delete' -Uri $uri -Headers $headers -UseBasicParsing -TimeoutSec 30
        Write-Output ('Deleted the record of node {0} ({1}).' -f $NodeName, $node.Id)
    }
}
Write-Outcome -Done ($done + ('Node {0} is out of the cluster. Apply the new load balancer configuration next.' -f $NodeName))
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
