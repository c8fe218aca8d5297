"""On-call's demo: the operations roster and its escalation policy."""

from yingji.core.extensions import register_demo
from yingji.oncall.demo import load_demo_oncall

register_demo("oncall", load_demo_oncall, order=45)
