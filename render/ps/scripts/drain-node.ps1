#Requires -Version 5.1
#Requires -RunAsAdministrator

<#
.SYNOPSIS
    Takes node ${octoha:NodeName} out of the Octopus Server HA cluster (octoha).
.DESCRIPTION
    Run this on node ${octoha:NodeName}. It drains the node (no new tasks; running
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
#region octoha:!wait-bug-fixed
    Octopus before ${octoha:WaitBugFixedIn} cuts waits over 300 seconds short
    (https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/node); with -ApiKey this script then goes on waiting itself
    [INFER: that node --drain exits 0 when its wait ends with tasks left;
    the node command docs are silent, https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/node].
#endregion octoha:!wait-bug-fixed
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
    .\${octoha:ScriptFile} -WaitSeconds 600
    Drains, waits up to ten minutes, asks, then stops the service; delete the record by hand.
.EXAMPLE
    $key = Read-Host -AsSecureString -Prompt 'Octopus API key'
    .\${octoha:ScriptFile} -ApiKey $key -WaitSeconds 1800 -CancelTasks
.EXAMPLE
    .\${octoha:ScriptFile} -WhatIf
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

# octoha:values

# octoha:common native-helpers

# octoha:common outcome

# octoha:common server-exe

# octoha:common drain-arguments

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

# octoha:common node-check

# octoha:common transcript-start
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
    # octoha:common transcript-stop
}
