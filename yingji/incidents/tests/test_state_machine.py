"""The transitions table is the whole truth: random steps by random people succeed exactly
when the table allows the step from the current state to that person, and every success
(only a success) leaves one timeline entry."""

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from yingji.core.actors import SYSTEM
from yingji.core.errors import DomainError
from yingji.incidents.choices import TRANSITIONS, Who, transition_for
from yingji.incidents.models import Incident
from yingji.incidents.services import incident_transition
from yingji.incidents.tests.test_report_and_triage import IncidentTestCase

# Who each role is to an incident reported by the call-centre agent (staff): the head of
# customer service and the agent herself (the deputy) judge it; the engine is SYSTEM.
ROLES = ("head", "staff", "leader", "expert", "executor", "sales", "outsider", "system")
MAY = {
    Who.TRIAGER: {"head", "staff"},
    Who.LEADER: {"leader"},
    Who.EXPERT: {"expert"},
    Who.ENGINE: {"system"},
}
ACTIONS = sorted({move.action for move in TRANSITIONS})


class IncidentStateMachine(IncidentTestCase):
    def test_only_allowed_steps_succeed_and_each_success_leaves_a_timeline_entry(self):
        case = self

        class Machine(RuleBasedStateMachine):
            @initialize()
            def report(self) -> None:
                self.incident = case.report()
                self.entries = 1

            @rule(action=st.sampled_from(ACTIONS), who=st.sampled_from(ROLES))
            def step(self, action: str, who: str) -> None:
                before = self.incident.status
                move = transition_for(action, before)
                allowed = move is not None and who in MAY[Who(move.who)]
                actor = SYSTEM if who == "system" else case.cast[who]
                try:
                    self.incident = incident_transition(
                        actor=actor, incident=self.incident, action=action, text=who
                    )
                except DomainError:
                    case.assertFalse(allowed, f"{who} was refused {action} from {before}")
                    self.incident = Incident.objects.get(pk=self.incident.pk)
                    case.assertEqual(self.incident.status, before)
                    return
                case.assertTrue(allowed, f"{who} could {action} from {before}")
                assert move is not None
                case.assertEqual(self.incident.status, move.target)
                self.entries += 1

            @invariant()
            def one_entry_per_step(self) -> None:
                if hasattr(self, "incident"):
                    case.assertEqual(self.incident.timeline.count(), self.entries)

        Machine.TestCase.settings = settings(
            max_examples=60,
            stateful_step_count=12,
            deadline=None,
            database=None,  # nothing written into the checkout
            suppress_health_check=[HealthCheck.too_slow],
        )
        Machine.TestCase().runTest()
