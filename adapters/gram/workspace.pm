# Globus GRAM5 LRM module for wsbridge: runs grid jobs in virtual workspaces.
#
# This module only translates. Every request goes to the wsbridge command line:
#
#   <wsbridge_path> gram submit|poll|cancel|signal <wsbridge_args...>
#
#   stdin   the job description as one JSON object: every attribute of
#           $self->{JobDescription} (names canonical: lower case, no "_"), each
#           an array of values; nested arrays for pairs, e.g.
#           {"executable":["/bin/echo"],"arguments":["hi"],
#            "environment":[["HOME","/home/u"]],"count":["1"],"jobid":["12,13"]}
#           Keys starting with "_" (JobDescription internals) are left out.
#   stdout  one JSON object with only the keys the job manager accepts:
#           JOB_STATE (integer), ERROR (integer), JOB_ID (string of
#           comma-separated sub-job ids), JOB_ACCT_INFO, GT3_FAILURE_TYPE,
#           GT3_FAILURE_MESSAGE, GT3_FAILURE_SOURCE, GT3_FAILURE_DESTINATION,
#           LOG; for cancel and signal only JOB_STATE, ERROR and LOG.
#           {} means "no change".
#   exit    0 when a reply was printed, also if the reply carries ERROR;
#           anything else means wsbridge could not answer.
#
# The reply is returned as the method's hash, so globus-job-manager-script.pl
# prints it as GRAM_SCRIPT_<KEY>:<value> lines. When wsbridge cannot answer,
# submit fails with JOB_EXECUTION_FAILED (17), cancel with JOB_CANCEL_FAILED
# (31), signal with SIGNALING_JOB (107), and poll reports no change, so the
# job manager simply polls again.
#
# Settings come from ${sysconfdir}/globus/globus-workspace.conf:
#   wsbridge_path="/usr/local/bin/wsbridge"
#   wsbridge_args=""        (extra arguments after the command, e.g.
#                            "--state-dir /var/lib/wsbridge")

# The Globus modules are loaded before the package line, as fork.pm does: JobManager.pm has
# no package line of its own before its "use POSIX", so loaded from inside this package it
# would import POSIX's getenv() and friends here, and $self->getenv() (used by the base
# class's rewrite_urls) would then call POSIX::getenv and die.
use Globus::GRAM::Error;
use Globus::GRAM::JobState;
use Globus::GRAM::JobManager;

package Globus::GRAM::JobManager::workspace;

use strict;
use warnings;

use IPC::Open2 ();
use JSON::PP ();

our @ISA = qw(Globus::GRAM::JobManager);

# Declared without a value: an initialiser here would run after BEGIN and undo the config.
my ($wsbridge, @wsbridge_args);

BEGIN {
    $wsbridge = '/usr/local/bin/wsbridge';
    @wsbridge_args = ();
    my $path = '/etc/globus/globus-workspace.conf';
    if (-r $path && eval { require Globus::Core::Config; 1 }) {
        my $config = new Globus::Core::Config($path);
        if ($config) {
            my $p = $config->get_attribute('wsbridge_path');
            my $a = $config->get_attribute('wsbridge_args');
            $wsbridge = $p if defined $p && $p ne '';
            @wsbridge_args = split(' ', $a) if defined $a;
        }
    }
}

sub new
{
    my $proto = shift;
    my $class = ref($proto) || $proto;
    my $self = $class->SUPER::new(@_);
    bless $self, $class;
    return $self;
}

# Runs "wsbridge gram COMMAND" with the description on stdin; returns the
# decoded reply hash, or undef with a reason when there is no usable reply.
sub _wsbridge
{
    my ($self, $command) = @_;
    my %description = %{$self->{JobDescription}};
    delete $description{$_} for grep { /^_/ } keys %description;
    my $json = JSON::PP->new->canonical->allow_nonref->allow_blessed->convert_blessed;
    my $input = $json->encode(\%description);

    # wsbridge may exit before reading its input; that must not kill this
    # long-lived script process.
    local $SIG{PIPE} = 'IGNORE';
    my ($out, $in);
    my $pid = eval { IPC::Open2::open2($out, $in, $wsbridge, 'gram', $command, @wsbridge_args) };
    return (undef, "cannot run $wsbridge: $@") unless $pid;
    print $in $input;
    close $in;
    my $reply = do { local $/; <$out> };
    close $out;
    waitpid($pid, 0);
    my $status = $? >> 8;
    return (undef, "$wsbridge gram $command exited with status $status") if $status != 0;
    my $hash = eval { $json->decode($reply) };
    return (undef, "$wsbridge gram $command printed no JSON object")
        unless ref($hash) eq 'HASH';
    $self->log("wsbridge gram $command: " . $json->encode($hash));
    return ($hash, undef);
}

sub submit
{
    my $self = shift;
    my ($reply, $why) = $self->_wsbridge('submit');
    return $reply if $reply;
    $self->log($why);
    return { ERROR => Globus::GRAM::Error::JOB_EXECUTION_FAILED()->value(),
             GT3_FAILURE_MESSAGE => $why };
}

sub poll
{
    my $self = shift;
    my ($reply, $why) = $self->_wsbridge('poll');
    return $reply if $reply;
    $self->log($why);
    return {};
}

sub cancel
{
    my $self = shift;
    my ($reply, $why) = $self->_wsbridge('cancel');
    return $reply if $reply;
    $self->log($why);
    return Globus::GRAM::Error::JOB_CANCEL_FAILED();
}

sub signal
{
    my $self = shift;
    my ($reply, $why) = $self->_wsbridge('signal');
    return $reply if $reply;
    $self->log($why);
    return Globus::GRAM::Error::SIGNALING_JOB();
}

1;
