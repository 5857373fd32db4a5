#Requires -Version 5.1
#Requires -RunAsAdministrator

<#
.SYNOPSIS
#region octoha:rebuild
    Rebuilds node ${octoha:NodeName}, the first node of the Octopus Server HA cluster, on a fresh machine (octoha).
#endregion octoha:rebuild
#region octoha:!rebuild
    Joins node ${octoha:NodeName} to the Octopus Server HA cluster (octoha).
#endregion octoha:!rebuild
.DESCRIPTION
#region octoha:rebuild
    Run this on a fresh machine named ${octoha:NodeName} that replaces the cluster's
    first node, while the cluster runs, after installing the Octopus Server
    MSI, version ${octoha:OctopusVersion}. It joins the machine to the running
    cluster as a join script joins any node: it checks that it sees the
    shared folder, creates the instance, points it at the cluster's
    database with the master key, configures it for the balancer, opens its
    ports in Windows Firewall, installs the service and waits for the node
    to answer. install-first-node.ps1
    refuses such a machine: the administrator, licence and shared folders
    are already in the cluster's database. To rebuild another node, run its
    own join script the same way.
#endregion octoha:rebuild
#region octoha:!rebuild
    Run this on node ${octoha:NodeName} after install-first-node.ps1 has finished on the
    first node, and after installing the Octopus Server MSI, version
    ${octoha:OctopusVersion}. It checks that this node sees the shared folder,
    creates the instance, points it at the cluster's database with the master
    key, configures it for the balancer, opens its ports in Windows
#region octoha:redis
    Firewall, installs the service and waits for the node to answer and
    to reach Redis. To rebuild this node on a fresh machine later, run
#endregion octoha:redis
#region octoha:!redis
    Firewall, installs the service and waits for the node to answer. To rebuild this node on a fresh machine later, run
#endregion octoha:!redis
    this script there the same way.
#endregion octoha:!rebuild

    It never runs path, admin, license or database --create: those live in
    the shared database and would re-point or reset the whole cluster
    (https://octopus.com/docs/administration/high-availability).
#region octoha:drain-on-join

    The cluster's polling tentacles poll every node, and a new node takes
    tasks within about a minute of starting (https://octopus.com/docs/administration/high-availability/how-high-availability-works), before any
    tentacle polls it: those tasks would wait for their tentacles until
    they time out (https://octopus.com/docs/administration/high-availability/polling-tentacles-with-ha/multi-node-polling-tentacles). So this script drains the node
    before its service first starts, and it stays drained: run
    ${octoha:TentacleUpdateScript} on every polling tentacle, then undrain it
    with the command this script prints at its end. Once it has brought
    the node up drained, a later run leaves the drain as it finds it.
#endregion octoha:drain-on-join

#region octoha:rebuild
    The master key is in your password vault, where it was stored after
    the first install; any running node prints it too:
#endregion octoha:rebuild
#region octoha:!rebuild
    Read the master key on the first node with:
#endregion octoha:!rebuild
        ${octoha:ShowMasterKey}
# octoha:common join-sql-rights

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
# octoha:lines secret-arguments
# octoha:common sql-password-help
# octoha:common service-password-help
# octoha:common redis-password-help
# octoha:common firewall-help
.PARAMETER MasterKey
#region octoha:rebuild
    The cluster's master key (base64 of 16 bytes), read on a running node
#endregion octoha:rebuild
#region octoha:!rebuild
    The cluster's master key (base64 of 16 bytes), read on the first node
#endregion octoha:!rebuild
    with the show-master-key command above.
# octoha:common version-check-help
.EXAMPLE
    $key = Read-Host -AsSecureString -Prompt 'Master key'
    .\${octoha:ScriptFile} -MasterKey $key
.EXAMPLE
    .\${octoha:ScriptFile} -WhatIf
    Shows every step without changing anything.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
# octoha:common sql-password-param
# octoha:common service-password-param
# octoha:common redis-password-param
    [Parameter(Mandatory)]
    [SecureString] $MasterKey,
# octoha:common firewall-param
    [switch] $SkipVersionCheck
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
#region octoha:rebuild
$ScriptName = 'rebuild-node'
#endregion octoha:rebuild
#region octoha:!rebuild
$ScriptName = 'join-node'
#endregion octoha:!rebuild

# octoha:values

# octoha:common native-helpers

# octoha:common outcome

# octoha:common server-exe

# octoha:common server-helpers

# octoha:common node-check

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

# octoha:common transcript-start
try {
# octoha:common server-checks
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
# octoha:common sql-credential

# octoha:common instance-existed
#region octoha:drain-on-join
# The record below, in this node's home folder, says an earlier run
# brought this node up drained; a run without it (the first, or one that
# stopped before the node answered drained) drains the node before its
# service starts.
$JoinRecord = [System.IO.Path]::Combine($HomeDir, 'octoha-join.txt')
$drainOnJoin = -not ($instanceExisted -and ((Get-ClusterMarkerDatabase -Path $JoinRecord) -eq $MarkerDatabase))
#endregion octoha:drain-on-join
# octoha:common create-instance

# database --masterKey joins the existing database; never --create
# (https://octopus.com/docs/administration/high-availability/how-high-availability-works). The connection string (SQL password included) and the
# master key are taken only as arguments: they are visible to local
# administrators while the command runs and in command-line audit logs
# where those are enabled; the CLI documents no other way to pass them.
if ($PSCmdlet.ShouldProcess($SqlDatabase, 'Point the instance at the cluster database')) {
#region octoha:computer-account
    # The service connects as this computer's account: --grant makes it
    # db_owner (the first node granted only its own). OctopusDSC sends
    # --grant with --masterKey and no --create the same way (its test
    # MasterKeySupplied/ExpectedResult.ps1, OctopusDSC 4.0).
    Invoke-OctopusServer -Command 'database' -Arguments @('--instance', $Instance, '--grant', $ComputerAccount, '--connectionString', (Get-SqlConnectionString -DataSource $SqlDataSource -Database $SqlDatabase -SqlCredential $SqlCredential -Encrypt $SqlEncrypt -TrustServerCertificate $SqlTrustServerCertificate -MultiSubnetFailover $SqlMultiSubnetFailover), '--masterKey', [System.Net.NetworkCredential]::new('', $MasterKey).Password)
#endregion octoha:computer-account
#region octoha:!computer-account
    Invoke-OctopusServer -Command 'database' -Arguments @('--instance', $Instance, '--connectionString', (Get-SqlConnectionString -DataSource $SqlDataSource -Database $SqlDatabase -SqlCredential $SqlCredential -Encrypt $SqlEncrypt -TrustServerCertificate $SqlTrustServerCertificate -MultiSubnetFailover $SqlMultiSubnetFailover), '--masterKey', [System.Net.NetworkCredential]::new('', $MasterKey).Password)
#endregion octoha:!computer-account
}

# octoha:common configure

# octoha:common node-firewall
#region octoha:drain-on-join

# Drained before the service first starts, so the node never takes a task
# the tentacles cannot run yet. [INFER] node works before the node has
# run: the Octopus docs only run it after the service starts (auto-scaling
# page), but OctopusDSC sets node --taskCap on a new instance before
# installing its service. The wait below proves the drain held.
if (-not $drainOnJoin) {
    Write-Output ('An earlier run brought node {0} up drained: its drain is left as it is now.' -f $NodeName)
}
elseif ($PSCmdlet.ShouldProcess($NodeName, 'Drain the node before its service first starts')) {
    Invoke-OctopusServer -Command 'node' -Arguments @('--instance', $Instance, '--drain=true')
}
#endregion octoha:drain-on-join

# octoha:common service-install

# The task cap is set once the node has registered itself, then the service
# restarts to take it (https://octopus.com/docs/administration/high-availability).
if ($TaskCap -gt 0 -and $PSCmdlet.ShouldProcess($NodeName, 'Set the task cap and restart')) {
    Invoke-OctopusServer -Command 'node' -Arguments @('--instance', $Instance, '--taskCap', $TaskCap)
    Invoke-OctopusServer -Command 'service' -Arguments @('--instance', $Instance, '--restart')
}

if ($PSCmdlet.ShouldProcess($NodeName, 'Wait for the node to answer its ping URL')) {
#region octoha:drain-on-join
    Wait-OctopusNode -Port $WebPort -Drained:$drainOnJoin
    if ($drainOnJoin) {
        Set-Content -LiteralPath $JoinRecord -Value @(('Written by octoha {0} after it brought this node up drained. A later run leaves the drain alone. It holds no secret.' -f ${octoha:ScriptFile}), $MarkerDatabase) -Encoding 'UTF8'
    }
#endregion octoha:drain-on-join
#region octoha:!drain-on-join
    Wait-OctopusNode -Port $WebPort
#endregion octoha:!drain-on-join
}
#region octoha:redis
if ($PSCmdlet.ShouldProcess($NodeName, 'Check that the node reaches Redis')) {
    Assert-RedisPolling -Port $WebPort
}
#endregion octoha:redis
Write-Outcome -Done @(
#region octoha:drain-on-join
    if ($drainOnJoin) {
        ('Node {0} is up and drained: it takes no tasks until you undrain it. Apply the load balancer file, run {1} on every polling tentacle, then undrain {0} on this node with:' -f $NodeName, ${octoha:TentacleUpdateScript})
        ('    & {0} node --instance {1} --drain=false' -f (ConvertTo-PowerShellLiteral -Value $ServerExe), (ConvertTo-PowerShellLiteral -Value $Instance))
        '(or with Disable Drain Node in Configuration > Nodes).'
    }
#endregion octoha:drain-on-join
    ('Node {0} has joined the cluster. Add it to the load balancer if it is not there yet.' -f $NodeName)
)
}
finally {
    # octoha:common transcript-stop
}
