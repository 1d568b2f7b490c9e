"""THE transition table: which command is allowed from which status, by which roles, and under
which rule (TRANSITIONS, one table, Luật THADS state machine of domain.md §1.6); the status groups
(PRE_DECISION, ACTIVE, OPEN, AFTER_NOTICE...) and who may act (LEADERS, MONEY_STAFF...).
"""

from __future__ import annotations

from dataclasses import dataclass

from intake_service.domain.vocabulary import CollectionChannel, Role, Status

PRE_DECISION = frozenset({Status.JUDGMENT_RECEIVED, Status.REQUEST_RECEIVED})
ACTIVE = frozenset({Status.DECIDED, Status.VOLUNTARY, Status.VERIFYING, Status.ENFORCING,
                    Status.NO_CONDITION, Status.POSTPONED, Status.MONEY_HELD})
TERMINAL = frozenset({Status.REJECTED, Status.COMPLETED, Status.TERMINATED, Status.DELEGATED_OUT,
                      Status.REVOKED, Status.RETURNED})
OPEN = frozenset(Status) - TERMINAL
DECIDED_ONWARD = frozenset(Status) - PRE_DECISION - {Status.REJECTED}
# From the notice of the QĐTHA until the case ends, whatever stage it is at: VOLUNTARY, VERIFYING,
# ENFORCING, NO_CONDITION, SEPARATE_REGISTER, POSTPONED, SUSPENDED, MONEY_HELD.
AFTER_NOTICE = OPEN - PRE_DECISION - {Status.DECIDED}
# The law sets no stage for a pause: any open case after its decision can be postponed (Art. 48) or
# suspended (Art. 49), a case without conditions included; a paused case is not paused again.
PAUSABLE = OPEN - PRE_DECISION - {Status.POSTPONED, Status.SUSPENDED}
WITHOUT_CONDITIONS = frozenset({Status.NO_CONDITION, Status.SEPARATE_REGISTER})

LEADERS = frozenset({Role.HEAD, Role.DEPUTY_HEAD})
INTAKE_STAFF = LEADERS | {Role.CLERK, Role.OFFICER, Role.SYSTEM}
MONEY_STAFF = frozenset({Role.OFFICER, Role.ACCOUNTANT})


@dataclass(frozen=True)
class Transition:
    allowed_from: frozenset[Status]
    rule: str
    topic: str
    roles: frozenset[Role]


def _t(allowed: frozenset[Status] | set[Status], rule: str, topic: str, roles: frozenset[Role]) -> Transition:
    return Transition(frozenset(allowed), rule, topic, roles)


TRANSITIONS: dict[str, Transition] = {
    "refuse_request": _t({Status.REQUEST_RECEIVED}, "only a received request can be refused",
                         "refusal", LEADERS),
    "accept_late_request": _t({Status.REQUEST_RECEIVED},
                              "the head accepts a late request hindered by force majeure or an objective "
                              "obstacle, with reasons", "late_request", LEADERS),
    "decide_enforcement": _t(PRE_DECISION, "a QĐTHA is issued on a received judgment or request",
                             "decision", LEADERS),
    "add_party": _t(OPEN, "parties are added to an open case", "decision", INTAKE_STAFF),
    "add_claim_item": _t(PRE_DECISION | {Status.DECIDED},
                         "claim items are fixed before the debtor is notified", "decision", INTAKE_STAFF),
    "assign_officer": _t(OPEN - PRE_DECISION, "an officer is assigned to a decided case",
                         "assignment", LEADERS),
    "reassign_officer": _t(OPEN - PRE_DECISION, "an officer is reassigned on a decided case",
                           "assignment", LEADERS),
    "record_procuracy_copy": _t(DECIDED_ONWARD, "every decision goes to the procuracy",
                                "procuracy_copy", INTAKE_STAFF),
    "record_notice_to_parties": _t(DECIDED_ONWARD, "every decision is notified to the parties within 3 WD",
                                   "notice_to_parties", INTAKE_STAFF),
    "notify": _t({Status.DECIDED}, "notice of the QĐTHA starts the voluntary period",
                 "voluntary", frozenset({Role.OFFICER, Role.CLERK})),
    "record_voluntary_payment": _t({Status.VOLUNTARY}, "voluntary payment within the voluntary period",
                                   "voluntary", MONEY_STAFF),
    "start_verification": _t({Status.VOLUNTARY}, "verification follows an unpaid voluntary period",
                             "verification", frozenset({Role.OFFICER})),
    "record_verification": _t({Status.VERIFYING}, "a verification result needs a verification",
                              "verification", LEADERS | {Role.OFFICER}),
    "reverify": _t(WITHOUT_CONDITIONS,
                   "re-verification applies to a debtor without conditions; conditions found are recorded, "
                   "and the case leaves NO_CONDITION only by the head's continuation decision",
                   "reverification", frozenset({Role.OFFICER})),
    "record_new_information": _t(WITHOUT_CONDITIONS,
                                 "new information on a debtor without conditions is verified within 10 days",
                                 "reverification", LEADERS | {Role.OFFICER, Role.CLERK}),
    "record_creditor_notice": _t(WITHOUT_CONDITIONS,
                                 "the creditor is told in writing of the result after two checks",
                                 "reverification", INTAKE_STAFF),
    "continue_from_no_condition": _t(WITHOUT_CONDITIONS,
                                     "a case without conditions continues only by the head's continuation "
                                     "decision, copied to the procuracy", "continuation_no_condition", LEADERS),
    "move_to_separate_register": _t({Status.NO_CONDITION},
                                    "only a no-condition case moves to the separate register",
                                    "separate_register", LEADERS),
    "return_request": _t({Status.NO_CONDITION}, "only a no-condition case is sent back",
                         "return_request", LEADERS),
    "apply_security_measure": _t({Status.VOLUNTARY, Status.VERIFYING, Status.ENFORCING, Status.MONEY_HELD},
                                 "security measures need a decided, unpaused case", "security_measure",
                                 frozenset({Role.OFFICER})),
    "apply_coercive_measure": _t({Status.ENFORCING, Status.MONEY_HELD},
                                 "coercion needs a debtor with conditions after the voluntary period",
                                 "coercion", frozenset({Role.OFFICER})),
    "order_seizure": _t({Status.ENFORCING, Status.MONEY_HELD},
                        "seizure needs a debtor with conditions after the voluntary period",
                        "coercion", frozenset({Role.OFFICER})),
    # collect_money: which statuses accept money depends on how it arrived (COLLECTION_RULES).
    "collect_money_paid_to_bank": _t(
        AFTER_NOTICE,
        "a debtor's repayment straight to the bank creditor is a fact, never held by the agency: it is booked "
        "at any stage from the notice until the case ends, also while postponed, suspended, without conditions "
        "or in the separate register, and reduces what is owed without changing the status (partial "
        "performance, certified under Art. 53) [GK: domain.md is silent on repayments to the creditor]",
        "completion", MONEY_STAFF | {Role.SYSTEM}),
    "collect_money_pooled": _t(
        {Status.ENFORCING, Status.MONEY_HELD, Status.POSTPONED, Status.SUSPENDED},
        "auction proceeds and deductions come from a sale or deduction made while enforcing; they are held by "
        "the agency and booked also when they arrive after the case was postponed (while enforcing) or "
        "suspended, and paid out once it continues (10 days from collection, Art. 47(5)) "
        "[GK: booking while paused]",
        "payment_order", MONEY_STAFF | {Role.SYSTEM}),
    "collect_money_voluntary": _t(
        {Status.ENFORCING, Status.MONEY_HELD},
        "money the debtor pays to the agency after the voluntary period is booked while enforcing "
        "(within the voluntary period: record_voluntary_payment)",
        "payment_order", MONEY_STAFF | {Role.SYSTEM}),
    "record_asset_taken_in_kind": _t(
        {Status.ENFORCING, Status.MONEY_HELD, Status.POSTPONED, Status.SUSPENDED},
        "from the 2nd price cut the creditor may take the seized asset against the debt (Art. 104 Luật THADS "
        "2008): performance in kind, never held by the agency; booked where auction proceeds are, also when the "
        "taking is recorded after the case was postponed or suspended [GK: booking while paused]",
        "coercion", LEADERS | {Role.OFFICER, Role.SYSTEM}),
    "disburse": _t({Status.VOLUNTARY, Status.MONEY_HELD}, "money is paid out only while it is held",
                   "payment_order", MONEY_STAFF),
    "deposit_unclaimed_money": _t({Status.VOLUNTARY, Status.MONEY_HELD},
                                  "money held that nobody claims is deposited in a bank after notice and 15 days",
                                  "unclaimed_money", MONEY_STAFF),
    "charge_enforcement_fee": _t({Status.VOLUNTARY, Status.ENFORCING, Status.MONEY_HELD},
                                 "the fee is charged on money paid out", "fee", MONEY_STAFF),
    "postpone": _t(PAUSABLE, "postponement pauses any open case after its decision (no stage limit)",
                   "postponement", LEADERS),
    "continue_after_postponement": _t({Status.POSTPONED}, "only a postponed case continues",
                                      "postponement", LEADERS),
    "suspend": _t(PAUSABLE, "suspension interrupts any open case after its decision, one without "
                            "conditions included", "suspension", LEADERS),
    "continue_after_suspension": _t({Status.SUSPENDED}, "only a suspended case continues",
                                    "suspension", LEADERS),
    "terminate": _t(ACTIVE | {Status.SUSPENDED, Status.SEPARATE_REGISTER},
                    "termination ends an active case, also one in the separate register; no money may be held",
                    "termination", LEADERS),
    "terminate_in_part": _t(ACTIVE | {Status.SUSPENDED, Status.SEPARATE_REGISTER},
                            "a part of a claim is terminated on a waiver, an agreement or a judgment annulled "
                            "in part", "partial_termination", LEADERS),
    "reduce_claim": _t(OPEN - PRE_DECISION, "a claim is reduced or exempted by a decision after the QĐTHA",
                       "reduction", LEADERS),
    "delegate_out": _t(ACTIVE - {Status.MONEY_HELD},
                       "delegation hands over an active case with no money held; the QĐTHA is revoked with it",
                       "delegation", LEADERS),
    "delegate_in_part": _t(ACTIVE - {Status.MONEY_HELD},
                           "a part of the claims is delegated; the QĐTHA is revoked in that part",
                           "delegation", LEADERS),
    "revoke": _t(ACTIVE | {Status.SUSPENDED}, "a QĐTHA in force can be revoked; no money may be held",
                 "revocation", LEADERS),
    "revoke_in_part": _t(ACTIVE | {Status.SUSPENDED}, "a QĐTHA in force can be revoked in part (some claim items)",
                         "revocation", LEADERS),
    "complete": _t(AFTER_NOTICE,
                   "completion follows payment in full; a case whose every claim item is performed ends at "
                   "whatever stage it is, e.g. fully repaid to the bank while without conditions or paused "
                   "[GK: Art. 52(1) 'đương nhiên kết thúc'; domain.md is silent on paused cases]",
                   "completion", LEADERS | {Role.OFFICER}),
    "receive_certificate_request": _t(DECIDED_ONWARD, "results are certified for a decided case",
                                      "completion", INTAKE_STAFF),
    "issue_certificate": _t(DECIDED_ONWARD, "results are certified for a decided case", "completion", LEADERS),
    # a closed case only; its retention period (domain/erasure.py) is the rule's second half
    "erase_personal_data": _t(TERMINAL, "an open case keeps its parties' personal data; a closed one for 5 years",
                              "erasure", LEADERS),
    "record_deadline_missed": _t(frozenset(Status), "a missed deadline can always be recorded",
                                 "deadline_missed", LEADERS | {Role.SYSTEM, Role.INSPECTOR}),
}
CREATION_ROLES = INTAKE_STAFF

# The TRANSITIONS rule that decides where collect_money accepts money of each channel.
COLLECTION_RULES: dict[CollectionChannel, str] = {
    CollectionChannel.PAID_TO_BANK: "collect_money_paid_to_bank",
    CollectionChannel.AUCTION_PROCEEDS: "collect_money_pooled",
    CollectionChannel.DEDUCTION: "collect_money_pooled",
    CollectionChannel.VOLUNTARY: "collect_money_voluntary",
}


# Vietnamese words for refusals (errors.py): who acts, and what the command does ("không thể ...").
ROLE_LABELS_VI: dict[Role, str] = {
    Role.HEAD: "Thủ trưởng cơ quan thi hành án",
    Role.DEPUTY_HEAD: "Phó Thủ trưởng cơ quan thi hành án",
    Role.OFFICER: "Chấp hành viên",
    Role.CLERK: "Thư ký thi hành án",
    Role.ACCOUNTANT: "Kế toán",
    Role.INSPECTOR: "Thẩm tra viên",
    Role.SYSTEM: "hệ thống",
}
COMMAND_LABELS_VI: dict[str, str] = {
    "refuse_request": "từ chối yêu cầu thi hành án",
    "decide_enforcement": "ra quyết định thi hành án",
    "add_party": "bổ sung đương sự",
    "add_claim_item": "bổ sung khoản thi hành án",
    "assign_officer": "phân công Chấp hành viên",
    "reassign_officer": "thay đổi Chấp hành viên",
    "record_procuracy_copy": "ghi nhận việc gửi quyết định cho Viện kiểm sát",
    "notify": "thông báo quyết định thi hành án",
    "record_voluntary_payment": "ghi nhận tiền tự nguyện thi hành án",
    "start_verification": "xác minh điều kiện thi hành án",
    "record_verification": "ghi nhận kết quả xác minh",
    "reverify": "xác minh lại điều kiện thi hành án",
    "move_to_separate_register": "chuyển sổ theo dõi riêng",
    "return_request": "gửi lại yêu cầu thi hành án",
    "apply_security_measure": "áp dụng biện pháp bảo đảm",
    "apply_coercive_measure": "áp dụng biện pháp cưỡng chế",
    "order_seizure": "kê biên tài sản",
    "collect_money_paid_to_bank": "ghi nhận khoản trả nợ trực tiếp cho ngân hàng",
    "collect_money_pooled": "ghi nhận tiền bán đấu giá hoặc khấu trừ",
    "collect_money_voluntary": "ghi nhận tiền người phải thi hành án nộp",
    "record_asset_taken_in_kind": "ghi nhận việc nhận tài sản để trừ vào số tiền được thi hành án",
    "disburse": "chi trả tiền thi hành án",
    "charge_enforcement_fee": "thu phí thi hành án",
    "postpone": "hoãn thi hành án",
    "continue_after_postponement": "tiếp tục thi hành án sau khi hoãn",
    "suspend": "tạm đình chỉ thi hành án",
    "continue_after_suspension": "tiếp tục thi hành án sau khi tạm đình chỉ",
    "terminate": "đình chỉ thi hành án",
    "delegate_out": "ủy thác thi hành án",
    "revoke": "thu hồi quyết định thi hành án",
    "complete": "kết thúc thi hành án",
    "receive_certificate_request": "nhận yêu cầu xác nhận kết quả thi hành án",
    "issue_certificate": "cấp giấy xác nhận kết quả thi hành án",
    "erase_personal_data": "xóa thông tin cá nhân của đương sự",
    "record_deadline_missed": "ghi nhận vi phạm thời hạn",
    "accept_late_request": "chấp nhận đơn yêu cầu quá hạn do trở ngại khách quan hoặc sự kiện bất khả kháng",
    "record_notice_to_parties": "ghi nhận việc thông báo quyết định cho đương sự",
    "record_new_information": "ghi nhận thông tin mới về điều kiện thi hành án",
    "record_creditor_notice": "ghi nhận việc thông báo kết quả xác minh cho người được thi hành án",
    "continue_from_no_condition": "ra quyết định tiếp tục thi hành án",
    "terminate_in_part": "đình chỉ thi hành án một phần",
    "reduce_claim": "ghi nhận miễn, giảm nghĩa vụ thi hành án",
    "delegate_in_part": "ủy thác thi hành án một phần",
    "deposit_unclaimed_money": "gửi tiết kiệm số tiền chưa có người nhận",
    "revoke_in_part": "thu hồi một phần quyết định thi hành án",
}
