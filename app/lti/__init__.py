"""LTI 1.3 tool: QI Academy modules launched from Moodle, Totara, Canvas or Open edX."""
