"""Every refusal of the intake domain: one exception class per rule broken.

Each refusal carries what the API renders (the kit's error body, BRIEFING interface 1):
- `rule`: a stable English id for programs (dotted, e.g. `voluntary_period.running`,
  `transition.start_verification`); never reworded once published;
- `legal_basis`: the article it rests on, its own field (None when the rule is technical);
- `message_vi`: the Vietnamese sentence an officer reads;
- `str(exc)`: the English technical detail (the `detail` field).
A class gives the defaults; a raise site passes `legal_basis=` and a `message_vi=` with the
case's own figures (dates as dd/mm/yyyy, amounts in đồng).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from intake_service.domain.vocabulary import Status


def vn_date(d: date | None) -> str:
    """A date as Vietnamese officers write it: 11/12/2026."""
    return d.strftime("%d/%m/%Y") if d is not None else "—"


def vn_money(amount: int) -> str:
    """An amount in đồng with dot thousands separators: 247.500.000 đồng."""
    return f"{amount:,}".replace(",", ".") + " đồng"


class IntakeError(Exception):
    """Base of every refused command in the intake bounded context."""

    rule: str = "intake.refused"
    legal_basis: str | None = None
    message_vi: str = "Yêu cầu bị từ chối theo quy định về thi hành án dân sự."

    def __init__(self, detail: str = "", *, rule: str | None = None, legal_basis: str | None = None,
                 message_vi: str | None = None) -> None:
        super().__init__(detail)
        if rule is not None:
            self.rule = rule
        if legal_basis is not None:
            self.legal_basis = legal_basis
        if message_vi is not None:
            self.message_vi = message_vi


class InvalidTransitionError(IntakeError):
    """The command is not allowed in the case's status (TRANSITIONS). `rule` is
    `transition.<TRANSITIONS key>`; `reason` the table's English rule text."""

    message_vi = "Thao tác này không được thực hiện ở trạng thái hiện tại của việc thi hành án."

    def __init__(self, rule: str, from_status: Status, command: str, *, rule_name: str | None = None,
                 legal_basis: str | None = None, message_vi: str | None = None) -> None:
        self.reason, self.from_status, self.command = rule, from_status, command
        super().__init__(f"{command} is not allowed in status {from_status}: {rule}",
                         rule=f"transition.{rule_name or command}", legal_basis=legal_basis,
                         message_vi=message_vi)


class ActorNotPermittedError(IntakeError):
    rule = "role.not_permitted"
    message_vi = "Người dùng không có thẩm quyền thực hiện thao tác này."


class BackdatedEventError(IntakeError):
    rule = "time.backdated"
    message_vi = "Thời điểm ghi nhận sớm hơn bước trước đó của việc thi hành án."


class NaiveDatetimeError(IntakeError):
    rule = "time.timezone_required"
    message_vi = "Thời điểm phải ghi rõ múi giờ."


class InvalidValueError(IntakeError):
    rule = "value.invalid"
    message_vi = "Giá trị nhập vào không hợp lệ."


class MissingGroundError(IntakeError):
    rule = "ground.missing"
    message_vi = "Phải nêu căn cứ của quyết định."


class InvalidGroundError(IntakeError):
    rule = "ground.invalid"
    message_vi = "Căn cứ nêu ra không phải là căn cứ theo điều luật áp dụng."


class NotPositiveAmountError(IntakeError):
    rule = "amount.not_positive"
    message_vi = "Số tiền phải là số nguyên đồng lớn hơn 0."


class UnknownPartyError(IntakeError):
    rule = "party.unknown"
    message_vi = "Đương sự không thuộc việc thi hành án này hoặc không phải người được thi hành án."


class DuplicatePartyError(IntakeError):
    rule = "party.duplicate"
    message_vi = "Đương sự đã có trong việc thi hành án."


class InvalidPartyError(IntakeError):
    rule = "party.invalid"
    message_vi = "Thông tin đương sự không hợp lệ (mã ngân hàng chỉ dùng cho tổ chức tín dụng)."


class UnknownClaimItemError(IntakeError):
    rule = "claim_item.unknown"
    message_vi = "Khoản thi hành án không thuộc việc thi hành án này."


class DuplicateClaimItemError(IntakeError):
    rule = "claim_item.duplicate"
    message_vi = "Khoản thi hành án đã có trong việc thi hành án."


class UnknownDecisionError(IntakeError):
    rule = "decision.unknown"
    message_vi = "Quyết định không được ban hành trong việc thi hành án này."


class DuplicateDecisionError(IntakeError):
    rule = "decision.duplicate_number"
    message_vi = "Số quyết định đã được sử dụng trong việc thi hành án này."


class ProcuracyCopyAlreadyRecordedError(IntakeError):
    rule = "procuracy_copy.already_recorded"
    message_vi = "Việc gửi quyết định cho Viện kiểm sát đã được ghi nhận."


class BasisMismatchError(IntakeError):
    rule = "decision.basis_mismatch"
    message_vi = ("Bản án nhận để thi hành chủ động thì ra quyết định chủ động; đơn yêu cầu thì ra "
                  "quyết định theo yêu cầu.")


class OfficerAlreadyAssignedError(IntakeError):
    rule = "officer.already_assigned"
    message_vi = "Việc thi hành án đã được phân công Chấp hành viên; hãy dùng thay đổi Chấp hành viên."


class OfficerNotAssignedError(IntakeError):
    rule = "officer.not_assigned"
    message_vi = "Việc thi hành án chưa được phân công Chấp hành viên."


class VoluntaryPeriodRunningError(IntakeError):
    rule = "voluntary_period.running"
    message_vi = "Thời hạn tự nguyện thi hành án chưa hết; chưa được xác minh điều kiện thi hành án."


class NothingOutstandingError(IntakeError):
    rule = "claims.nothing_outstanding"
    message_vi = "Các khoản thi hành án đã được thi hành xong; hãy kết thúc việc thi hành án."


class SeparateRegisterNotDueError(IntakeError):
    rule = "separate_register.not_due"
    message_vi = "Chưa đủ thời gian hoặc số lần xác minh để chuyển sổ theo dõi riêng."


class RuleNotInForceError(IntakeError):
    rule = "law.not_in_force"
    message_vi = "Quy định này chưa có hiệu lực vào ngày thực hiện."


class ReturnNotApplicableError(IntakeError):
    rule = "return_request.not_applicable"
    message_vi = ("Việc thi hành án chủ động chuyển sổ theo dõi riêng; việc theo yêu cầu (từ 01/7/2026) "
                  "thì gửi lại yêu cầu cho người yêu cầu.")


class ForbiddenCoercionTimeError(IntakeError):
    rule = "coercion.forbidden_time"
    message_vi = "Không được cưỡng chế từ 22 giờ đến 06 giờ sáng hoặc vào ngày nghỉ, ngày lễ."


class AmountExceedsOutstandingError(IntakeError):
    rule = "amount.exceeds_outstanding"
    message_vi = "Số tiền vượt quá số còn phải thi hành."


class ConflictingSourceRefError(IntakeError):
    rule = "source_ref.conflict"
    message_vi = "Mã chứng từ đã được ghi nhận với nội dung khác."


class InvalidChannelError(IntakeError):
    rule = "collection.invalid_channel"
    message_vi = "Hình thức thu tiền không phù hợp với người được thi hành án."


class InsufficientMoneyHeldError(IntakeError):
    rule = "money.insufficient_held"
    message_vi = "Số tiền chi vượt quá số tiền đang tạm giữ của việc thi hành án."


class OutstandingClaimsError(IntakeError):
    rule = "completion.claims_outstanding"
    message_vi = "Còn khoản thi hành án chưa được thi hành xong."


class FeeNotApplicableError(IntakeError):
    rule = "fee.not_applicable"
    message_vi = "Khoản này không phải chịu phí thi hành án."


class NothingToChargeError(IntakeError):
    rule = "fee.nothing_to_charge"
    message_vi = "Không có khoản tiền mới nhận để tính phí thi hành án."


class CertificateRequestPendingError(IntakeError):
    rule = "certificate.request_pending"
    message_vi = "Đã có yêu cầu xác nhận kết quả thi hành án đang chờ giải quyết."


class NoCertificateRequestError(IntakeError):
    rule = "certificate.no_request"
    message_vi = "Giấy xác nhận kết quả thi hành án chỉ cấp khi có yêu cầu của đương sự."


class DeadlineNotPassedError(IntakeError):
    rule = "deadline.not_passed"
    message_vi = "Thời hạn chưa hết nên chưa thể ghi nhận vi phạm thời hạn."


class LimitationNotExpiredError(InvalidValueError):
    """Accepting a late request, or refusing one as time-barred, while the limitation still runs: a
    refusal by the case's state (409), not a malformed value, though still an InvalidValueError."""
    rule = "limitation.not_expired"


class LimitationNotExpiredGroundError(InvalidGroundError):
    """The ground "limitation expired" while the limitation still runs: refused by the case's state (409)."""
    rule = "ground.limitation_not_expired"


class LimitationExpiredError(IntakeError):
    rule = "limitation.expired"
    message_vi = "Đơn yêu cầu nộp khi đã hết thời hiệu yêu cầu thi hành án."


class PaymentOrderViolationError(IntakeError):
    """Disbursing breaks the payment order of Art. 47; `legal_basis` is the clause broken."""

    rule = "payment_order.violated"
    message_vi = "Việc chi trả không đúng thứ tự thanh toán tiền thi hành án."

    def __init__(self, legal_basis: str, message: str, *, rule: str | None = None,
                 message_vi: str | None = None) -> None:
        super().__init__(message, rule=rule, legal_basis=legal_basis, message_vi=message_vi)


class MoneyHeldError(IntakeError):
    rule = "money.held"
    message_vi = ("Việc thi hành án đang tạm giữ tiền: phải chi trả hoặc trả lại số tiền đó trước khi "
                  "đình chỉ, thu hồi hoặc ủy thác.")


class ContinuationDecisionRequiredError(IntakeError):
    rule = "no_condition.continuation_decision_required"
    message_vi = ("Việc chưa có điều kiện thi hành chỉ được tiếp tục thi hành theo quyết định tiếp tục "
                  "của Thủ trưởng cơ quan thi hành án.")


class ReasonsRequiredError(IntakeError):
    rule = "reasons.required"
    message_vi = "Phải nêu lý do."


class PersonalDataRetainedError(IntakeError):
    """The case file must still keep the party identifiable: erasure refused, nothing changed (409)."""
    rule = "personal_data.retained"
    legal_basis = "Điều 30 Luật THADS 2008"
    message_vi = ("Chưa được xóa thông tin cá nhân: hồ sơ việc thi hành án còn trong thời hạn phải lưu giữ "
                  "(việc chưa kết thúc, hoặc chưa đủ 5 năm kể từ bước cuối cùng của việc).")
