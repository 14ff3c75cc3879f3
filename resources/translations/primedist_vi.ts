<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi_VN">
<context>
    <name>AccountPanel</name>
    <message>
        <source>Receive payment…</source>
        <extracomment>A payment was received or cancelled (the panel already shows it). A sale (or its refund) was double-clicked: its order id. The customer&apos;s name (the payment dialog&apos;s title); the detail sets it. The payment just received here: only its receipt opens the cash drawer (once).</extracomment>
        <translation>Thu nợ…</translation>
    </message>
    <message>
        <source>Adjust…</source>
        <translation>Điều chỉnh…</translation>
    </message>
    <message>
        <source>Copy reminder</source>
        <translation>Chép tin nhắc nợ</translation>
    </message>
    <message>
        <source>Print receipt</source>
        <translation>In phiếu thu</translation>
    </message>
    <message>
        <source>Copy a message saying what the customer owes (the sales and what is paid), to paste into the chat with them (Zalo, Messenger…)</source>
        <translation>Chép tin nhắn báo khách đang nợ bao nhiêu (các đơn và số đã trả) để dán vào cuộc trò chuyện với khách (Zalo, Messenger…)</translation>
    </message>
    <message>
        <source>Cancel payment…</source>
        <translation>Hủy phiếu thu…</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Ngày</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>Chứng từ</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Nội dung</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Số tiền</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Người tạo</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>No sales on account yet. A sale paid “On account” in Create order is owed here until the customer pays it.</source>
        <translation>Chưa có đơn ghi nợ. Đơn bán với hình thức “Ghi nợ” trong Tạo đơn sẽ được ghi vào đây cho đến khi khách trả.</translation>
    </message>
    <message>
        <source>Double-click a sale to open its order.</source>
        <translation>Nhấp đúp vào một đơn bán để mở đơn hàng.</translation>
    </message>
    <message>
        <source>Sale on account</source>
        <translation>Bán ghi nợ</translation>
    </message>
    <message>
        <source>Refund</source>
        <translation>Hoàn tiền</translation>
    </message>
    <message>
        <source>Adjustment</source>
        <translation>Điều chỉnh công nợ</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>Thu nợ</translation>
    </message>
    <message>
        <source>Payment (%1)</source>
        <translation>Thu nợ (%1)</translation>
    </message>
    <message>
        <source>Cancelled %1: %2</source>
        <translation>Đã hủy %1: %2</translation>
    </message>
    <message>
        <source>Owes nothing</source>
        <translation>Không nợ</translation>
    </message>
    <message>
        <source>Paid in advance</source>
        <translation>Trả trước</translation>
    </message>
    <message>
        <source>Owes</source>
        <translation>Còn nợ</translation>
    </message>
    <message>
        <source>%n sale on account</source>
        <translation>%n đơn ghi nợ</translation>
    </message>
    <message>
        <source>%n sales on account</source>
        <translation>%n đơn ghi nợ</translation>
    </message>
    <message>
        <source>sold %1</source>
        <translation>đã bán %1</translation>
    </message>
    <message>
        <source>paid %1</source>
        <translation>đã trả %1</translation>
    </message>
    <message>
        <source>adjusted %1</source>
        <translation>điều chỉnh %1</translation>
    </message>
    <message>
        <source>Cancelled: %1</source>
        <translation>Đã hủy: %1</translation>
    </message>
    <message>
        <source>Change what the customer owes by hand: a debt from before the app, an amount written off (with the reason)</source>
        <translation>Điều chỉnh số tiền khách nợ: nợ cũ từ trước khi dùng phần mềm, số tiền xóa nợ (ghi rõ lý do)</translation>
    </message>
    <message>
        <source>Only the owner or a manager adjusts what a customer owes.</source>
        <translation>Chỉ chủ cửa hàng hoặc quản lý được điều chỉnh công nợ của khách.</translation>
    </message>
    <message>
        <source>The customer owes nothing: there is nothing to receive.</source>
        <translation>Khách không nợ: không có gì để thu.</translation>
    </message>
    <message>
        <source>Record money the customer paid towards what they owe (a receipt)</source>
        <translation>Ghi nhận tiền khách trả nợ (phiếu thu)</translation>
    </message>
    <message>
        <source>Print the selected payment&apos;s receipt (phiếu thu) for the customer</source>
        <translation>In phiếu thu của lần trả nợ đang chọn cho khách</translation>
    </message>
    <message>
        <source>Select a payment to print its receipt</source>
        <translation>Chọn một phiếu thu để in</translation>
    </message>
    <message>
        <source>Only the owner or a manager cancels a payment.</source>
        <translation>Chỉ chủ cửa hàng hoặc quản lý được hủy phiếu thu.</translation>
    </message>
    <message>
        <source>Cancel the selected payment (entered by mistake): what it paid is owed again</source>
        <translation>Hủy phiếu thu đang chọn (nhập nhầm): số tiền đó khách lại nợ</translation>
    </message>
    <message>
        <source>Select a payment to cancel it</source>
        <translation>Chọn một phiếu thu để hủy</translation>
    </message>
    <message>
        <source>%1 received (%2).</source>
        <translation>Đã thu %1 (%2).</translation>
    </message>
    <message>
        <source>%1 saved: %2.</source>
        <translation>Đã lưu %1: %2.</translation>
    </message>
    <message>
        <source>Cancel %1</source>
        <translation>Hủy %1</translation>
    </message>
    <message>
        <source>%1 will no longer count as paid: the customer owes it again. Why is it cancelled?</source>
        <translation>%1 sẽ không còn được tính là đã trả: khách lại nợ số tiền này. Vì sao hủy?</translation>
    </message>
    <message>
        <source>%1 cancelled: %2 is owed again.</source>
        <translation>Đã hủy %1: khách lại nợ %2.</translation>
    </message>
    <message>
        <source>Cancelling the payment</source>
        <translation>Đang hủy phiếu thu</translation>
    </message>
    <message>
        <source>Printing…</source>
        <translation>Đang in…</translation>
    </message>
    <message>
        <source>Printed %1 to %2.</source>
        <translation>Đã in %1 ra %2.</translation>
    </message>
    <message>
        <source>Printing the receipt</source>
        <translation>Đang in phiếu thu</translation>
    </message>
    <message>
        <source>Copied: paste it into the chat with the customer.</source>
        <translation>Đã chép: dán vào cuộc trò chuyện với khách.</translation>
    </message>
</context>
<context>
    <name>AccountSettings</name>
    <message>
        <source>My account</source>
        <extracomment>The signed-in user&apos;s details changed (the new Actor).</extracomment>
        <translation>Tài khoản của tôi</translation>
    </message>
    <message>
        <source>Profile</source>
        <translation>Thông tin cá nhân</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Họ tên</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Email</translation>
    </message>
    <message>
        <source>Save profile</source>
        <translation>Lưu thông tin</translation>
    </message>
    <message>
        <source>Change password</source>
        <translation>Đổi mật khẩu</translation>
    </message>
    <message>
        <source>Current password</source>
        <translation>Mật khẩu hiện tại</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>Mật khẩu mới</translation>
    </message>
    <message>
        <source>Repeat</source>
        <translation>Nhập lại</translation>
    </message>
    <message>
        <source>At least 8 characters</source>
        <translation>Ít nhất 8 ký tự</translation>
    </message>
    <message>
        <source>Profile saved.</source>
        <translation>Đã lưu thông tin.</translation>
    </message>
    <message>
        <source>The two new passwords differ.</source>
        <translation>Hai mật khẩu mới không khớp nhau.</translation>
    </message>
    <message>
        <source>Password changed.</source>
        <translation>Đã đổi mật khẩu.</translation>
    </message>
</context>
<context>
    <name>ActionRow</name>
    <message>
        <source>More</source>
        <translation>Khác</translation>
    </message>
</context>
<context>
    <name>ActionsPage</name>
    <message>
        <source>Shop</source>
        <extracomment>The least width of a table&apos;s last column (a message), beside its header&apos;s own width. Changes in a burst (a bulk confirm, a delivery run) reload the actions once. The panel&apos;s width at first: the actions&apos; columns whole with MESSAGE_MIN_WIDTH left for their last message in Vietnamese (a stock push of a shop with a long name); on a smaller screen as wide as it allows, not below MINIMUM_WIDTH. A failed action&apos;s status, in the error colour of the lists. Where a row&apos;s sort value rides (the shown text of a time or a count sorts wrong). Retries, discards and sends of the user not finished yet: no reload meanwhile. What the last &quot;Send now&quot; did, kept under the list until the user acts again.</extracomment>
        <translation>Gian hàng</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Thao tác</translation>
    </message>
    <message>
        <source>About</source>
        <translation>Đối tượng</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Tries</source>
        <translation>Số lần thử</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>Thời gian tạo</translation>
    </message>
    <message>
        <source>Last message</source>
        <translation>Thông báo gần nhất</translation>
    </message>
    <message>
        <source>Retry</source>
        <extracomment>(column, order) the user sorted by; None: failed first (`_rank`), then oldest.</extracomment>
        <translation>Thử lại</translation>
    </message>
    <message>
        <source>Discard…</source>
        <translation>Xóa…</translation>
    </message>
    <message>
        <source>Send now</source>
        <translation>Gửi ngay</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Làm mới</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Đang chờ</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Đang gửi</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Thất bại</translation>
    </message>
    <message>
        <source>No actions waiting.</source>
        <translation>Không có thao tác nào đang chờ.</translation>
    </message>
    <message>
        <source>%n action</source>
        <translation>%n thao tác</translation>
    </message>
    <message>
        <source>%n actions</source>
        <translation>%n thao tác</translation>
    </message>
    <message>
        <source>%n action sent</source>
        <translation>Đã gửi %n thao tác</translation>
    </message>
    <message>
        <source>%n actions sent</source>
        <translation>Đã gửi %n thao tác</translation>
    </message>
    <message>
        <source>%n action will be tried again later</source>
        <translation>%n thao tác sẽ được thử lại sau</translation>
    </message>
    <message>
        <source>%n actions will be tried again later</source>
        <translation>%n thao tác sẽ được thử lại sau</translation>
    </message>
    <message>
        <source>%n action failed</source>
        <translation>%n thao tác bị lỗi</translation>
    </message>
    <message>
        <source>%n actions failed</source>
        <translation>%n thao tác bị lỗi</translation>
    </message>
    <message>
        <source>%1 · %2 available</source>
        <translation>%1 · còn %2 có thể bán</translation>
    </message>
    <message>
        <source>Last message: %s</source>
        <translation>Thông báo gần nhất: %s</translation>
    </message>
    <message>
        <source>Discard actions</source>
        <translation>Xóa thao tác</translation>
    </message>
    <message>
        <source>Discard this action? It will not be sent to the marketplace; the change stays in this app only.</source>
        <translation>Xóa thao tác này? Thao tác sẽ không được gửi lên sàn; thay đổi chỉ còn trong ứng dụng này.</translation>
    </message>
    <message>
        <source>Discard %n actions? They will not be sent to the marketplace; the changes stay in this app only.</source>
        <translation>Xóa %n thao tác? Các thao tác này sẽ không được gửi lên sàn; các thay đổi chỉ còn trong ứng dụng này.</translation>
    </message>
    <message>
        <source>%n action waiting for a shop to be linked in Sales channels</source>
        <translation>%n cập nhật chưa gửi được lên sàn: gian hàng chưa liên kết</translation>
    </message>
    <message>
        <source>%n actions waiting for a shop to be linked in Sales channels</source>
        <translation>%n cập nhật chưa gửi được lên sàn: gian hàng chưa liên kết</translation>
    </message>
    <message>
        <source>the marketplace could not be reached</source>
        <translation>không kết nối được sàn</translation>
    </message>
    <message>
        <source>the marketplace answered with an error</source>
        <translation>sàn trả về lỗi</translation>
    </message>
    <message>
        <source>a carrier could not be reached</source>
        <translation>không kết nối được đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>Nothing was due to be sent</source>
        <translation>Không có thao tác nào cần gửi</translation>
    </message>
</context>
<context>
    <name>ActivityFeed</name>
    <message>
        <source>{new} new order(s) synced</source>
        <translation>Đã đồng bộ {new} đơn hàng mới</translation>
    </message>
    <message>
        <source>, {updated} updated</source>
        <translation>, {updated} đơn cập nhật</translation>
    </message>
    <message>
        <source>Authorisation lost: re-authorise the shop in Settings</source>
        <translation>Mất ủy quyền: hãy ủy quyền lại gian hàng trong Cài đặt</translation>
    </message>
    <message>
        <source>Daily API limit reached, sync paused</source>
        <translation>Đã hết hạn mức API trong ngày, tạm dừng đồng bộ</translation>
    </message>
    <message>
        <source>Sync failed</source>
        <translation>Đồng bộ thất bại</translation>
    </message>
    <message>
        <source>{n} product(s) low on stock</source>
        <translation>{n} sản phẩm sắp hết hàng</translation>
    </message>
    <message>
        <source>Ranks updated: {up} up, {down} down</source>
        <translation>Đã cập nhật hạng: {up} lên hạng, {down} xuống hạng</translation>
    </message>
    <message>
        <source>, {n} up a level</source>
        <translation>, {n} lên cấp</translation>
    </message>
    <message>
        <source>orders</source>
        <translation>đơn hàng</translation>
    </message>
    <message>
        <source>customers</source>
        <translation>khách hàng</translation>
    </message>
    <message>
        <source>products</source>
        <translation>sản phẩm</translation>
    </message>
    <message>
        <source>Imported {created} new and {updated} updated {what} from {file}</source>
        <translation>Đã nhập {created} {what} mới và cập nhật {updated} từ {file}</translation>
    </message>
    <message>
        <source> ({n} rejected)</source>
        <translation> ({n} bị từ chối)</translation>
    </message>
    <message>
        <source>Demo data generated: {orders} orders, {customers} customers</source>
        <translation>Đã tạo dữ liệu mẫu: {orders} đơn hàng, {customers} khách hàng</translation>
    </message>
    <message>
        <source>Goods received from {supplier}: {code}, {lines} SKU(s), {units} unit(s)</source>
        <translation>Nhập hàng từ {supplier}: {code}, {lines} mã, {units} sản phẩm</translation>
    </message>
    <message>
        <source>Goods received: {code}, {lines} SKU(s), {units} unit(s)</source>
        <translation>Nhập hàng: {code}, {lines} mã, {units} sản phẩm</translation>
    </message>
    <message>
        <source>Price change “{name}” started: {count} variants changed</source>
        <translation>Chương trình giá “{name}” đã bắt đầu: đổi giá {count} phân loại</translation>
    </message>
    <message>
        <source>Price change “{name}” ended: {count} variants have their price back, {kept} kept a price set by hand</source>
        <translation>Chương trình giá “{name}” đã kết thúc: {count} phân loại về giá cũ, {kept} giữ giá đã sửa tay</translation>
    </message>
    <message>
        <source>Price change “{name}” ended: {count} variants have their price back</source>
        <translation>Chương trình giá “{name}” đã kết thúc: {count} phân loại về giá cũ</translation>
    </message>
    <message>
        <source>Price change “{name}” could not start: {why}. No price changed.</source>
        <translation>Chương trình giá “{name}” không bắt đầu được: {why}. Không giá nào thay đổi.</translation>
    </message>
    <message>
        <source>The daily backup failed: {reason}</source>
        <translation>Sao lưu hằng ngày không thành công: {reason}</translation>
    </message>
    <message>
        <source>The daily backup to the folder “{folder}” failed: {reason}</source>
        <translation>Sao lưu hằng ngày vào thư mục “{folder}” không thành công: {reason}</translation>
    </message>
    <message>
        <source>The backup was made, but not copied to the folder “{folder}”: {reason}</source>
        <translation>Đã sao lưu nhưng chưa chép được vào thư mục “{folder}”: {reason}</translation>
    </message>
    <message>
        <source>{carrier} account {account} can no longer track parcels: {reason} Update its token in Settings → Logistics.</source>
        <translation>Tài khoản {carrier} {account} không theo dõi được đơn hàng nữa: {reason} Hãy cập nhật token trong Cài đặt → Vận chuyển.</translation>
    </message>
    <message>
        <source>{carrier} parcel {code} of order {order}: {status}</source>
        <translation>Kiện {carrier} {code} của đơn {order}: {status}</translation>
    </message>
</context>
<context>
    <name>AddStoreDialog</name>
    <message>
        <source>Partner &amp;ID</source>
        <extracomment>Kept for callers that name Shopee&apos;s hosts (the channel&apos;s live/test hosts are in services.channels.CHANNEL_APPS).</extracomment>
        <translation>Partner &amp;ID</translation>
    </message>
    <message>
        <source>Partner &amp;key</source>
        <translation>Partner &amp;Key</translation>
    </message>
    <message>
        <source>Client &amp;ID</source>
        <translation>Client &amp;ID</translation>
    </message>
    <message>
        <source>Client &amp;secret</source>
        <translation>Client &amp;Secret</translation>
    </message>
    <message>
        <source>App &amp;key</source>
        <translation>App &amp;Key</translation>
    </message>
    <message>
        <source>App &amp;secret</source>
        <translation>App &amp;Secret</translation>
    </message>
    <message>
        <source>Enter your app&apos;s Partner ID and Partner Key from the Shopee Open Platform console (App list).</source>
        <translation>Nhập Partner ID và Partner Key của ứng dụng, lấy từ Shopee Open Platform (App list).</translation>
    </message>
    <message>
        <source>Enter your app&apos;s App Key and App Secret from the Lazada Open Platform (App Console → App Overview). Lazada&apos;s authorisation ends on a fixed date: the app warns you before, so you can authorise again in time.</source>
        <translation>Nhập App Key và App Secret của ứng dụng, lấy từ Lazada Open Platform (App Console → App Overview). Ủy quyền của Lazada hết hạn vào một ngày cố định: ứng dụng sẽ nhắc trước để bạn kịp ủy quyền lại.</translation>
    </message>
    <message>
        <source>Enter your app&apos;s App Key and App Secret from the TikTok Shop Partner Center (App &amp; Service → Manage).</source>
        <translation>Nhập App Key và App Secret của ứng dụng, lấy từ TikTok Shop Partner Center (App &amp; Service → Manage).</translation>
    </message>
    <message>
        <source>Enter your app&apos;s Client ID and Client Secret from the Tiki Open API console (open.tiki.vn → My apps).</source>
        <translation>Nhập Client ID và Client Secret của ứng dụng, lấy từ Tiki Open API (open.tiki.vn → My apps).</translation>
    </message>
    <message>
        <source>The secret is stored encrypted on this computer. After saving, you approve the app for your shop in the browser.</source>
        <translation>Khóa bí mật được mã hóa và lưu trên máy tính này. Sau khi lưu, bạn cấp quyền cho ứng dụng truy cập gian hàng trên trình duyệt.</translation>
    </message>
    <message>
        <source>This version cannot link these shops yet.</source>
        <translation>Phiên bản này chưa hỗ trợ liên kết các gian hàng này.</translation>
    </message>
    <message>
        <source>Credentials of %1</source>
        <translation>Thông tin ứng dụng %1</translation>
    </message>
    <message>
        <source>Add %1 shop</source>
        <translation>Thêm gian hàng %1</translation>
    </message>
    <message>
        <source>&amp;Channel</source>
        <translation>&amp;Kênh bán</translation>
    </message>
    <message>
        <source>Shop &amp;name</source>
        <translation>&amp;Tên gian hàng</translation>
    </message>
    <message>
        <source>API &amp;host</source>
        <translation>Máy chủ &amp;API</translation>
    </message>
    <message>
        <source>No app ID and key? They come from an app registered on the marketplace&apos;s open platform, or from your software provider. Without them, import the orders you export from Seller Center.</source>
        <extracomment>The user chose to import orders from a file instead (the dialog was closed).</extracomment>
        <translation>Chưa có ID và khóa ứng dụng? Chúng lấy từ ứng dụng đăng ký trên nền tảng mở của sàn, hoặc do đơn vị cung cấp phần mềm cấp. Nếu không có, hãy nhập các đơn hàng bạn xuất từ Seller Center.</translation>
    </message>
    <message>
        <source>Import orders from a file instead…</source>
        <translation>Thay vào đó, nhập đơn hàng từ tệp…</translation>
    </message>
    <message>
        <source>%1 (live)</source>
        <translation>%1 (chính thức)</translation>
    </message>
    <message>
        <source>%1 test environment</source>
        <translation>%1 môi trường thử nghiệm</translation>
    </message>
    <message>
        <source>Other address…</source>
        <translation>Địa chỉ khác…</translation>
    </message>
</context>
<context>
    <name>AddressDialog</name>
    <message>
        <source>Add address</source>
        <extracomment>The most lines a contact value without spaces takes (an email, a link).</extracomment>
        <translation>Thêm địa chỉ</translation>
    </message>
    <message>
        <source>Recipient</source>
        <translation>Người nhận</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Số điện thoại</translation>
    </message>
    <message>
        <source>Street, house number</source>
        <translation>Số nhà, tên đường</translation>
    </message>
    <message>
        <source>Ward / commune</source>
        <translation>Phường / xã</translation>
    </message>
    <message>
        <source>District (old addresses)</source>
        <translation>Quận / huyện (địa chỉ cũ)</translation>
    </message>
    <message>
        <source>Province / city</source>
        <translation>Tỉnh / thành phố</translation>
    </message>
    <message>
        <source>Default delivery address</source>
        <translation>Địa chỉ giao hàng mặc định</translation>
    </message>
</context>
<context>
    <name>AddressPicker</name>
    <message>
        <source>Province / city</source>
        <translation>Tỉnh / thành phố</translation>
    </message>
    <message>
        <source>District</source>
        <translation>Quận / huyện</translation>
    </message>
    <message>
        <source>Ward</source>
        <translation>Phường / xã</translation>
    </message>
    <message>
        <source>Type to search</source>
        <translation>Gõ để tìm</translation>
    </message>
    <message>
        <source>Loading addresses</source>
        <translation>Đang tải danh sách địa chỉ</translation>
    </message>
    <message>
        <source>The address lists could not be loaded: %1</source>
        <translation>Không tải được danh sách địa chỉ: %1</translation>
    </message>
    <message>
        <source>Looking for the ward</source>
        <translation>Đang tìm phường/xã</translation>
    </message>
</context>
<context>
    <name>AdjustBalanceDialog</name>
    <message>
        <source>Adjust what %1 owes</source>
        <translation>Điều chỉnh công nợ của %1</translation>
    </message>
    <message>
        <source>Owes now</source>
        <translation>Đang nợ</translation>
    </message>
    <message>
        <source>&amp;Change</source>
        <translation>&amp;Thay đổi</translation>
    </message>
    <message>
        <source>&amp;Amount</source>
        <translation>&amp;Số tiền</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>&amp;Lý do</translation>
    </message>
    <message>
        <source>Owes more (e.g. a debt from before the app)</source>
        <translation>Nợ thêm (ví dụ nợ cũ trước khi dùng phần mềm)</translation>
    </message>
    <message>
        <source>Owes less (e.g. an amount written off)</source>
        <translation>Nợ bớt (ví dụ xóa một phần nợ)</translation>
    </message>
    <message>
        <source>e.g. 500.000</source>
        <translation>ví dụ 500.000</translation>
    </message>
    <message>
        <source>required: e.g. debt from the notebook</source>
        <translation>bắt buộc: ví dụ nợ cũ ghi trong sổ</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Type the amount as an amount of money, e.g. 500.000.</source>
        <translation>Nhập số tiền, ví dụ 500.000.</translation>
    </message>
    <message>
        <source>The amount must be 1 to %1.</source>
        <translation>Số tiền phải từ 1 đến %1.</translation>
    </message>
    <message>
        <source>Say why the balance changes.</source>
        <translation>Hãy ghi lý do điều chỉnh.</translation>
    </message>
    <message>
        <source>Owes after: %1</source>
        <translation>Còn nợ sau điều chỉnh: %1</translation>
    </message>
    <message>
        <source>Adjusting the balance</source>
        <translation>Đang điều chỉnh công nợ</translation>
    </message>
</context>
<context>
    <name>AdjustDialog</name>
    <message>
        <source>Adjust what is owed to %1</source>
        <translation>Điều chỉnh công nợ %1</translation>
    </message>
    <message>
        <source>Owed now</source>
        <translation>Đang nợ</translation>
    </message>
    <message>
        <source>&amp;Change</source>
        <translation>&amp;Điều chỉnh</translation>
    </message>
    <message>
        <source>&amp;Amount</source>
        <translation>&amp;Số tiền</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>&amp;Lý do</translation>
    </message>
    <message>
        <source>The shop owes more (e.g. a debt from before)</source>
        <translation>Cửa hàng nợ thêm (ví dụ nợ cũ từ trước)</translation>
    </message>
    <message>
        <source>The shop owes less (e.g. a discount granted)</source>
        <translation>Cửa hàng nợ bớt (ví dụ được chiết khấu)</translation>
    </message>
    <message>
        <source>e.g. 500.000</source>
        <translation>ví dụ 500.000</translation>
    </message>
    <message>
        <source>required: e.g. debt brought over on 01/12</source>
        <translation>bắt buộc: ví dụ nợ cũ chuyển sang ngày 01/12</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Type the amount as an amount of money, e.g. 500.000.</source>
        <translation>Nhập số tiền dưới dạng số tiền, ví dụ 500.000.</translation>
    </message>
    <message>
        <source>The amount must be 1 to %1.</source>
        <translation>Số tiền phải từ 1 đến %1.</translation>
    </message>
    <message>
        <source>Say why the balance changes.</source>
        <translation>Hãy ghi lý do điều chỉnh công nợ.</translation>
    </message>
    <message>
        <source>Owed after: %1</source>
        <translation>Còn nợ sau khi điều chỉnh: %1</translation>
    </message>
    <message>
        <source>Adjusting the balance</source>
        <translation>Đang điều chỉnh công nợ</translation>
    </message>
</context>
<context>
    <name>AnalyticsPage</name>
    <message>
        <source>Reading the figures</source>
        <extracomment>The metric cards: key → metric of its detail page. The ranking tables: key → (ranking of its detail page). The top lists ranked by orders: their detail page too (sorted and charted by orders). lupdate extracts translate(&quot;Context&quot;, &quot;literal&quot;) calls, not a wrapper&apos;s. The row height of the top lists (the style&apos;s 30 px left a top 5 two pixels short). The product rank&apos;s rows (reports.analytics&apos; top_products). A ranking row&apos;s key (province code, carrier, product id) on its first cell. Drill-down: open the Orders tab (status tab key, OrderFilter) — a ranking row&apos;s orders. A product rank row&apos;s menu: its editor / its stock history (product id). Where the overview was scrolled to when a detail page opened (&quot;← Back&quot; returns).</extracomment>
        <translation>Đang tải số liệu</translation>
    </message>
    <message>
        <source>previous: %1</source>
        <translation>kỳ trước: %1</translation>
    </message>
    <message>
        <source>No orders in this range</source>
        <translation>Không có đơn hàng nào trong khoảng thời gian này</translation>
    </message>
    <message>
        <source>No products sold in this range</source>
        <translation>Không có sản phẩm nào được bán trong khoảng thời gian này</translation>
    </message>
    <message>
        <source>No carrier on the orders of this range</source>
        <translation>Các đơn hàng trong khoảng thời gian này chưa có đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>No province/city on the orders of this range</source>
        <translation>Các đơn hàng trong khoảng thời gian này chưa có tỉnh/thành phố</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Không rõ</translation>
    </message>
    <message>
        <source>Items no longer in the catalogue</source>
        <translation>Sản phẩm không còn trong danh mục</translation>
    </message>
    <message>
        <source>Orders of this product</source>
        <translation>Đơn hàng của sản phẩm này</translation>
    </message>
    <message>
        <source>Open product</source>
        <translation>Mở sản phẩm</translation>
    </message>
    <message>
        <source>Stock history</source>
        <translation>Lịch sử tồn kho</translation>
    </message>
    <message>
        <source>Total revenue</source>
        <translation>Tổng doanh thu</translation>
    </message>
    <message>
        <source>Total orders</source>
        <translation>Tổng đơn hàng</translation>
    </message>
    <message>
        <source>Products sold</source>
        <translation>Sản phẩm đã bán</translation>
    </message>
    <message>
        <source>Gross profit</source>
        <translation>Lợi nhuận gộp</translation>
    </message>
    <message>
        <source>Repeat purchase customer rate</source>
        <translation>Tỉ lệ khách mua lại</translation>
    </message>
    <message>
        <source>See detail</source>
        <translation>Xem chi tiết</translation>
    </message>
    <message>
        <source>Top 5 locations by orders</source>
        <translation>Top 5 khu vực theo số đơn</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Đơn hàng</translation>
    </message>
    <message>
        <source>Top 5 locations by revenue</source>
        <translation>Top 5 khu vực theo doanh thu</translation>
    </message>
    <message>
        <source>Revenue</source>
        <translation>Doanh thu</translation>
    </message>
    <message>
        <source>Top 5 shipping providers</source>
        <translation>Top 5 đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>Product rank</source>
        <translation>Xếp hạng sản phẩm</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Units
sold</source>
        <translation>SL
đã bán</translation>
    </message>
    <message>
        <source>Gross
profit</source>
        <translation>Lợi nhuận
gộp</translation>
    </message>
    <message>
        <source>Revenue
change</source>
        <translation>Thay đổi
doanh thu</translation>
    </message>
    <message>
        <source>Province/city</source>
        <translation>Tỉnh/thành phố</translation>
    </message>
    <message>
        <source>Carrier</source>
        <translation>Đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Thay đổi</translation>
    </message>
    <message>
        <source>For the dates chosen: %1</source>
        <translation>Khoảng đang chọn: %1</translation>
    </message>
</context>
<context>
    <name>AuditDetailDialog</name>
    <message>
        <source>Audit log entry</source>
        <translation>Chi tiết nhật ký</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Người thực hiện</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Thao tác</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Đối tượng</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Tóm tắt</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Trường</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>Trước</translation>
    </message>
    <message>
        <source>After</source>
        <translation>Sau</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Giá trị</translation>
    </message>
</context>
<context>
    <name>AuditLogSettings</name>
    <message>
        <source>Everyone</source>
        <extracomment>ISO times and days as the services store them (&quot;2026-12-12T00:00:00+07:00&quot;, &quot;2026-12-20&quot;); other text that starts like a day (a note) stays as it is.</extracomment>
        <translation>Tất cả mọi người</translation>
    </message>
    <message>
        <source>System</source>
        <translation>Hệ thống</translation>
    </message>
    <message>
        <source>Every kind</source>
        <translation>Mọi loại thao tác</translation>
    </message>
    <message>
        <source>%s rows</source>
        <translation>%s dòng</translation>
    </message>
    <message>
        <source>Export the audit log</source>
        <translation>Xuất nhật ký hoạt động</translation>
    </message>
    <message>
        <source>Exporting the audit log</source>
        <translation>Đang xuất nhật ký hoạt động</translation>
    </message>
    <message>
        <source>Exported %s rows to %s</source>
        <translation>Đã xuất %s dòng ra %s</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>Nhật ký hoạt động</translation>
    </message>
    <message>
        <source>Only the owner or a manager reads the audit log.</source>
        <translation>Chỉ chủ cửa hàng hoặc quản lý được xem nhật ký hoạt động.</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Từ</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Đến</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Xuất Excel…</translation>
    </message>
</context>
<context>
    <name>AuthoriseDialog</name>
    <message>
        <source>Authorise %1</source>
        <extracomment>The shop is linked; carries its new state. Opens a URL in the browser; tests put a fake browser here.</extracomment>
        <translation>Ủy quyền %1</translation>
    </message>
    <message>
        <source>Open the link, sign in to %1 as the shop owner and confirm. The browser then comes back to this app by itself. The link works for a few minutes; Open makes a new one.</source>
        <translation>Mở liên kết, đăng nhập %1 bằng tài khoản chủ gian hàng và xác nhận. Trình duyệt sẽ tự quay lại ứng dụng này. Liên kết chỉ dùng được trong vài phút; bấm Mở để tạo liên kết mới.</translation>
    </message>
    <message>
        <source>TikTok Shop returns to the redirect address registered for your app in Partner Center: if that is not this computer, paste the address the browser ends on below.</source>
        <translation>TikTok Shop quay về địa chỉ chuyển hướng đã đăng ký cho ứng dụng trong Partner Center: nếu đó không phải máy tính này, hãy dán địa chỉ cuối cùng trình duyệt hiển thị vào bên dưới.</translation>
    </message>
    <message>
        <source>&amp;Open in browser</source>
        <translation>&amp;Mở trên trình duyệt</translation>
    </message>
    <message>
        <source>&amp;Copy link</source>
        <translation>&amp;Sao chép liên kết</translation>
    </message>
    <message>
        <source>Browser on another computer? After confirming, copy the address it shows and &amp;paste it here:</source>
        <translation>Dùng trình duyệt trên máy khác? Sau khi xác nhận, sao chép địa chỉ trình duyệt hiển thị và &amp;dán vào đây:</translation>
    </message>
    <message>
        <source>&amp;Use this address</source>
        <translation>&amp;Dùng địa chỉ này</translation>
    </message>
    <message>
        <source>Waiting for the approval in the browser…</source>
        <translation>Đang chờ xác nhận trên trình duyệt…</translation>
    </message>
    <message>
        <source>No web browser could be opened on this computer. Press Copy link, then paste the link into a browser&apos;s address bar.</source>
        <translation>Không mở được trình duyệt trên máy này. Bấm Sao chép liên kết rồi dán liên kết vào thanh địa chỉ của trình duyệt.</translation>
    </message>
    <message>
        <source>No answer from the browser in time. Press Open in browser to try again, or paste the address the browser ended on.</source>
        <translation>Trình duyệt không phản hồi kịp. Bấm Mở trên trình duyệt để thử lại, hoặc dán địa chỉ cuối cùng trình duyệt hiển thị.</translation>
    </message>
    <message>
        <source>Linking the shop…</source>
        <translation>Đang liên kết gian hàng…</translation>
    </message>
    <message>
        <source>Linking the shop</source>
        <translation>Đang liên kết gian hàng</translation>
    </message>
</context>
<context>
    <name>BackupNotice</name>
    <message>
        <source>No backup outside this PC for %1 days</source>
        <extracomment>The link was clicked: open Settings → Backup &amp; restore.</extracomment>
        <translation>Chưa sao lưu ra ngoài máy %1 ngày</translation>
    </message>
    <message>
        <source>No backup outside this PC yet</source>
        <translation>Chưa có bản sao lưu nào ngoài máy này</translation>
    </message>
    <message>
        <source>The shop&apos;s backups are only on this PC</source>
        <translation>Bản sao lưu của cửa hàng chỉ nằm trên máy này</translation>
    </message>
    <message>
        <source>The copy to “%1” was not made: %2</source>
        <translation>Chưa chép được vào “%1”: %2</translation>
    </message>
    <message>
        <source>Check that the backup folder&apos;s USB stick or drive is connected.</source>
        <translation>Hãy kiểm tra USB hoặc ổ đĩa của thư mục sao lưu đã được cắm vào chưa.</translation>
    </message>
    <message>
        <source>A dead disk, a theft or ransomware would take them with the data: have the daily backup copied to a USB stick or a synced Google Drive/OneDrive folder.</source>
        <translation>Nếu ổ cứng hỏng, máy bị mất trộm hoặc nhiễm mã độc tống tiền, bạn sẽ mất cả dữ liệu lẫn bản sao lưu: hãy cho chép bản sao lưu hằng ngày vào USB hoặc thư mục Google Drive/OneDrive có đồng bộ.</translation>
    </message>
    <message>
        <source>Open Backup &amp; restore</source>
        <translation>Mở Sao lưu &amp; khôi phục</translation>
    </message>
    <message>
        <source>Set up a second copy</source>
        <translation>Thiết lập bản sao thứ hai</translation>
    </message>
</context>
<context>
    <name>BackupSettings</name>
    <message>
        <source>Backup &amp; restore</source>
        <extracomment>What the page reads: the backups, the daily backup&apos;s failure, on PostgreSQL why this PC cannot back up (no pg_dump) and the shop&apos;s last daily backup, and the copies outside. A dump&apos;s restore command and what pg_restore&apos;s check of it noted. A restore done: the context on the restored data, the safety copy of the data it replaced, and the shops to authorise again (`svc.shops_to_link_again`). The data was restored: the new ServiceContext (the window restarts the session). A backup was written (its path).</extracomment>
        <translation>Sao lưu &amp; khôi phục</translation>
    </message>
    <message>
        <source>A backup is a complete copy of the shop&apos;s data, taken safely while the app runs. One is made every day automatically; restoring replaces all current data (a copy of it is kept first).</source>
        <translation>Bản sao lưu là bản sao đầy đủ dữ liệu cửa hàng, được tạo an toàn ngay khi ứng dụng đang chạy. Mỗi ngày ứng dụng tự sao lưu một lần; khôi phục sẽ thay toàn bộ dữ liệu hiện tại (dữ liệu hiện tại được sao lưu lại trước).</translation>
    </message>
    <message>
        <source>Only the owner or a manager backs up and restores the data.</source>
        <translation>Chỉ chủ cửa hàng hoặc quản lý được sao lưu và khôi phục dữ liệu.</translation>
    </message>
    <message>
        <source>The shop&apos;s data is on a PostgreSQL server that the shop&apos;s PCs share. A backup is a complete copy of it (a .dump file made with pg_dump), taken safely while the app runs, into this PC&apos;s folder “%1”. One is made every day automatically, by one of the shop&apos;s PCs, into that PC&apos;s folder. Restoring is not done from the app while other PCs use the data: select a backup to see the command to run when every PC has closed the app.</source>
        <translation>Dữ liệu cửa hàng nằm trên máy chủ PostgreSQL dùng chung cho các máy của cửa hàng. Bản sao lưu là bản sao đầy đủ dữ liệu đó (tệp .dump tạo bằng pg_dump), được tạo an toàn ngay khi ứng dụng đang chạy, lưu vào thư mục “%1” của máy này. Mỗi ngày một máy của cửa hàng tự sao lưu một lần, vào thư mục của chính máy đó. Không khôi phục từ ứng dụng khi các máy khác đang dùng dữ liệu: chọn một bản sao lưu để xem lệnh cần chạy sau khi mọi máy đã đóng ứng dụng.</translation>
    </message>
    <message>
        <source>Back up now</source>
        <translation>Sao lưu ngay</translation>
    </message>
    <message>
        <source>Back up to a folder…</source>
        <translation>Sao lưu vào thư mục…</translation>
    </message>
    <message>
        <source>Restore from a file…</source>
        <translation>Khôi phục từ tệp…</translation>
    </message>
    <message>
        <source>Restore selected…</source>
        <translation>Khôi phục bản đã chọn…</translation>
    </message>
    <message>
        <source>Taken</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Loại</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Dung lượng</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Tệp</translation>
    </message>
    <message>
        <source>The time in the file name is the shop&apos;s time; backups made by an older version of the app are named in UTC (world time).</source>
        <translation>Thời gian trong tên tệp là giờ của cửa hàng; các bản sao lưu do phiên bản cũ của ứng dụng tạo được đặt tên theo giờ UTC (giờ quốc tế).</translation>
    </message>
    <message>
        <source>Keep the newest backups of each kind:</source>
        <translation>Giữ lại số bản sao lưu mới nhất mỗi loại:</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Backups folder: %1</source>
        <translation>Thư mục sao lưu: %1</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Mở thư mục</translation>
    </message>
    <message>
        <source>Also copy the daily backup to:</source>
        <translation>Cũng chép bản sao lưu hằng ngày vào:</translation>
    </message>
    <message>
        <source>Choose folder…</source>
        <translation>Chọn thư mục…</translation>
    </message>
    <message>
        <source>A USB stick, another drive, or a Google Drive/OneDrive folder that syncs to the cloud: a copy there is safe when this PC&apos;s disk dies, the PC is stolen, or ransomware locks its files.</source>
        <translation>USB, ổ đĩa khác, hoặc thư mục Google Drive/OneDrive có đồng bộ lên mạng: bản sao ở đó vẫn an toàn khi ổ cứng máy này hỏng, máy bị mất trộm hoặc bị mã độc tống tiền khóa tệp.</translation>
    </message>
    <message>
        <source>Don&apos;t copy</source>
        <translation>Không chép</translation>
    </message>
    <message>
        <source>The time in the file name is UTC (world time); Taken shows the shop&apos;s time.</source>
        <translation>Giờ trong tên tệp là giờ UTC (giờ quốc tế); cột Thời gian hiện giờ của cửa hàng.</translation>
    </message>
    <message>
        <source>Manual</source>
        <translation>Thủ công</translation>
    </message>
    <message>
        <source>Daily</source>
        <translation>Hằng ngày</translation>
    </message>
    <message>
        <source>Before a restore</source>
        <translation>Trước khi khôi phục</translation>
    </message>
    <message>
        <source>Before an upgrade</source>
        <translation>Trước khi nâng cấp</translation>
    </message>
    <message>
        <source>Not set</source>
        <translation>Chưa chọn</translation>
    </message>
    <message>
        <source>Change…</source>
        <translation>Đổi…</translation>
    </message>
    <message>
        <source>On %1 the backup was made but not copied to “%2”: %3 The next backup will try again.</source>
        <translation>Lúc %1 đã sao lưu nhưng chưa chép được vào “%2”: %3 Lần sao lưu sau sẽ thử lại.</translation>
    </message>
    <message>
        <source>Last backup outside this PC: %1 (%2).</source>
        <translation>Lần sao lưu ra ngoài máy gần nhất: %1 (%2).</translation>
    </message>
    <message>
        <source>The backups are only on this PC so far. Choose a USB stick or a synced Google Drive/OneDrive folder: a copy there is safe when this PC&apos;s disk dies, the PC is stolen, or ransomware locks its files.</source>
        <translation>Hiện bản sao lưu chỉ nằm trên máy này. Hãy chọn USB hoặc thư mục Google Drive/OneDrive có đồng bộ: bản sao ở đó vẫn an toàn khi ổ cứng máy hỏng, máy bị mất trộm hoặc bị mã độc tống tiền khóa tệp.</translation>
    </message>
    <message>
        <source>The next backup is copied there (press Back up now to copy one now).</source>
        <translation>Lần sao lưu tới sẽ được chép vào đó (bấm Sao lưu ngay để chép ngay bây giờ).</translation>
    </message>
    <message>
        <source>Choose where to copy the daily backup</source>
        <translation>Chọn nơi chép bản sao lưu hằng ngày</translation>
    </message>
    <message>
        <source>The last daily backup: %1, on the PC %2 (%3).</source>
        <translation>Lần sao lưu hằng ngày gần nhất: %1, trên máy %2 (%3).</translation>
    </message>
    <message>
        <source>The last daily backup: %1 (%2).</source>
        <translation>Lần sao lưu hằng ngày gần nhất: %1 (%2).</translation>
    </message>
    <message>
        <source>The daily backup to the folder “%1” failed on %2: %3</source>
        <translation>Sao lưu hằng ngày vào thư mục “%1” lúc %2 không thành công: %3</translation>
    </message>
    <message>
        <source>The daily backup failed on %1: %2</source>
        <translation>Sao lưu hằng ngày lúc %1 không thành công: %2</translation>
    </message>
    <message>
        <source>%1 (dated in the future)</source>
        <translation>%1 (ghi ngày trong tương lai)</translation>
    </message>
    <message>
        <source>No backups yet. The app makes one every day while it runs; press Back up now to make one now.</source>
        <translation>Chưa có bản sao lưu nào. Ứng dụng tự sao lưu mỗi ngày khi đang chạy; bấm Sao lưu ngay để tạo một bản bây giờ.</translation>
    </message>
    <message>
        <source>Restoring is done with pg_restore when every PC has closed the app: select a backup to see the command.</source>
        <translation>Khôi phục bằng pg_restore sau khi mọi máy đã đóng ứng dụng: chọn một bản sao lưu để xem lệnh.</translation>
    </message>
    <message>
        <source>Reading %1 back with pg_restore, to check it before giving its restore command…</source>
        <translation>Đang đọc lại %1 bằng pg_restore để kiểm tra trước khi đưa lệnh khôi phục…</translation>
    </message>
    <message>
        <source>Checking a backup</source>
        <translation>Đang kiểm tra bản sao lưu</translation>
    </message>
    <message>
        <source>To restore %1: when every PC has closed the app, run this on a PC with the PostgreSQL client tools (it replaces all the data on the server):
%2</source>
        <translation>Để khôi phục %1: sau khi mọi máy đã đóng ứng dụng, chạy lệnh sau trên một máy có cài bộ công cụ PostgreSQL (lệnh này thay toàn bộ dữ liệu trên máy chủ):
%2</translation>
    </message>
    <message>
        <source>Could not open the folder %1.</source>
        <translation>Không mở được thư mục %1.</translation>
    </message>
    <message>
        <source>Backing up</source>
        <translation>Đang sao lưu</translation>
    </message>
    <message>
        <source>Backup written: %s</source>
        <translation>Đã sao lưu: %s</translation>
    </message>
    <message>
        <source>Choose the folder for the backup</source>
        <translation>Chọn thư mục lưu bản sao lưu</translation>
    </message>
    <message>
        <source>Backup written to %s</source>
        <translation>Đã sao lưu vào %s</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Đã lưu.</translation>
    </message>
    <message>
        <source>Restore from a backup</source>
        <translation>Khôi phục từ bản sao lưu</translation>
    </message>
    <message>
        <source>Backups (*.db);;All files (*)</source>
        <translation>Bản sao lưu (*.db);;Tất cả tệp (*)</translation>
    </message>
    <message>
        <source>Since %1 no order was made or changed, and no return, goods receipt, purchase order, customer or product was added.</source>
        <translation>Từ %1 đến nay không có đơn hàng nào được tạo hay sửa, cũng không thêm lần trả hàng, phiếu nhập, đơn đặt hàng nhập, khách hàng hay sản phẩm nào.</translation>
    </message>
    <message>
        <source>%n new order</source>
        <translation>%n đơn hàng mới</translation>
    </message>
    <message>
        <source>%n new orders</source>
        <translation>%n đơn hàng mới</translation>
    </message>
    <message>
        <source>changes to %n order</source>
        <translation>thay đổi ở %n đơn hàng</translation>
    </message>
    <message>
        <source>changes to %n orders</source>
        <translation>thay đổi ở %n đơn hàng</translation>
    </message>
    <message>
        <source>%n return</source>
        <translation>%n lần khách trả hàng</translation>
    </message>
    <message>
        <source>%n returns</source>
        <translation>%n lần khách trả hàng</translation>
    </message>
    <message>
        <source>%n goods receipt</source>
        <translation>%n phiếu nhập hàng</translation>
    </message>
    <message>
        <source>%n goods receipts</source>
        <translation>%n phiếu nhập hàng</translation>
    </message>
    <message>
        <source>%n purchase order</source>
        <translation>%n đơn đặt hàng nhập</translation>
    </message>
    <message>
        <source>%n purchase orders</source>
        <translation>%n đơn đặt hàng nhập</translation>
    </message>
    <message>
        <source>%n return to a supplier</source>
        <translation>%n phiếu trả hàng nhà cung cấp</translation>
    </message>
    <message>
        <source>%n returns to suppliers</source>
        <translation>%n phiếu trả hàng nhà cung cấp</translation>
    </message>
    <message>
        <source>%n new customer</source>
        <translation>%n khách hàng mới</translation>
    </message>
    <message>
        <source>%n new customers</source>
        <translation>%n khách hàng mới</translation>
    </message>
    <message>
        <source>%n new product</source>
        <translation>%n sản phẩm mới</translation>
    </message>
    <message>
        <source>%n new products</source>
        <translation>%n sản phẩm mới</translation>
    </message>
    <message>
        <source>Restoring loses what was made or changed after %1: %2.</source>
        <translation>Khôi phục sẽ mất những gì đã tạo hoặc sửa sau %1: %2.</translation>
    </message>
    <message>
        <source>Shops linked since then must be authorised again after the restore: %1.</source>
        <translation>Các gian hàng liên kết sau thời điểm đó sẽ phải ủy quyền lại sau khi khôi phục: %1.</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>Khôi phục</translation>
    </message>
    <message>
        <source>Replace ALL current data with the backup %1, taken on %2?

The staff accounts and their passwords come back as they were then: whoever changed a password since signs in with the old one, and accounts added since are gone.

A copy of the current data is kept in the backups folder first. You will sign in again afterwards.</source>
        <translation>Thay TOÀN BỘ dữ liệu hiện tại bằng bản sao lưu %1, tạo lúc %2?

Các tài khoản nhân viên và mật khẩu cũng trở về như lúc đó: ai đã đổi mật khẩu từ đó sẽ đăng nhập bằng mật khẩu cũ, và các tài khoản thêm sau đó sẽ mất.

Dữ liệu hiện tại sẽ được sao lưu vào thư mục sao lưu trước. Sau đó bạn cần đăng nhập lại.</translation>
    </message>
    <message>
        <source>Restoring</source>
        <translation>Đang khôi phục</translation>
    </message>
    <message>
        <source>Restored. The data it replaced is saved as %s.</source>
        <translation>Đã khôi phục. Dữ liệu cũ được lưu tại %s.</translation>
    </message>
</context>
<context>
    <name>BulkShipDialog</name>
    <message>
        <source>Ship with carrier</source>
        <extracomment>The colour of a row&apos;s state that needs the owner (the app&apos;s warning red). Before a weight counted partly at the default item weight. After each plan or creation shown (tests wait for it). The table is being filled: its itemChanged is not the owner typing.</extracomment>
        <translation>Giao qua đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>Carrier account</source>
        <translation>Tài khoản vận chuyển</translation>
    </message>
    <message>
        <source>Before paying</source>
        <translation>Lưu ý giao hàng</translation>
    </message>
    <message>
        <source>Weight: the products&apos; own (500 g for an item with none) until you type the parcel&apos;s (double-click it); cash on delivery for COD orders.</source>
        <translation>Khối lượng: theo sản phẩm (500 g cho sản phẩm chưa có khối lượng) cho đến khi bạn nhập khối lượng của kiện (nhấp đúp vào ô); thu hộ (COD) cho đơn COD.</translation>
    </message>
    <message>
        <source>Print labels</source>
        <translation>In nhãn vận đơn</translation>
    </message>
    <message>
        <source>Where the carrier&apos;s labels go</source>
        <translation>Nơi in nhãn vận đơn</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Đơn hàng</translation>
    </message>
    <message>
        <source>Recipient</source>
        <translation>Người nhận</translation>
    </message>
    <message>
        <source>Deliver to</source>
        <translation>Giao đến</translation>
    </message>
    <message>
        <source>Weight (g)</source>
        <translation>Khối lượng (g)</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Tình trạng</translation>
    </message>
    <message>
        <source>Add a GHN or J&amp;T Express account in Settings → Logistics first.</source>
        <translation>Hãy thêm tài khoản GHN hoặc J&amp;T Express trong Cài đặt → Vận chuyển trước.</translation>
    </message>
    <message>
        <source>Checking %1 orders…</source>
        <translation>Đang kiểm tra %1 đơn…</translation>
    </message>
    <message>
        <source>Checking orders to ship</source>
        <translation>Kiểm tra đơn cần giao</translation>
    </message>
    <message>
        <source>The orders could not be checked: %1</source>
        <translation>Không kiểm tra được các đơn: %1</translation>
    </message>
    <message>
        <source>Double-click to type the parcel&apos;s weight</source>
        <translation>Nhấp đúp để nhập khối lượng của gói hàng</translation>
    </message>
    <message>
        <source>Shipment %1 created</source>
        <translation>Đã tạo vận đơn %1</translation>
    </message>
    <message>
        <source>Open them as one PDF</source>
        <translation>Mở tất cả trong một tệp PDF</translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation>Chờ gửi cho đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Sẵn sàng</translation>
    </message>
    <message>
        <source>%n shipment created</source>
        <translation>Đã tạo %n vận đơn</translation>
    </message>
    <message>
        <source>%n shipments created</source>
        <translation>Đã tạo %n vận đơn</translation>
    </message>
    <message>
        <source>%n ready</source>
        <translation>%n đơn sẵn sàng</translation>
    </message>
    <message>
        <source>%n needs attention (double-click it to ship it from the order)</source>
        <translation>%n đơn cần xem lại (nhấp đúp để giao từ chi tiết đơn)</translation>
    </message>
    <message>
        <source>%n need attention (double-click one to ship it from the order)</source>
        <translation>%n đơn cần xem lại (nhấp đúp vào đơn để giao từ chi tiết đơn)</translation>
    </message>
    <message>
        <source>Create %n shipment</source>
        <translation>Tạo %n vận đơn</translation>
    </message>
    <message>
        <source>Create %n shipments</source>
        <translation>Tạo %n vận đơn</translation>
    </message>
    <message>
        <source>Create shipments</source>
        <translation>Tạo vận đơn</translation>
    </message>
    <message>
        <source>An estimate: %n item has no weight in its product (500 g counted).</source>
        <translation>Ước tính: %n sản phẩm chưa có khối lượng (tính 500 g).</translation>
    </message>
    <message>
        <source>An estimate: %n items have no weight in their products (500 g each counted).</source>
        <translation>Ước tính: %n sản phẩm chưa có khối lượng (tính 500 g mỗi sản phẩm).</translation>
    </message>
    <message>
        <source>“%1” is not a weight in grams.</source>
        <translation>“%1” không phải khối lượng tính bằng gam.</translation>
    </message>
    <message>
        <source>Printing labels…</source>
        <translation>Đang in nhãn vận đơn…</translation>
    </message>
    <message>
        <source>Not in it: %1</source>
        <translation>Không in được: %1</translation>
    </message>
    <message>
        <source>Nothing to ship.</source>
        <translation>Không có đơn nào để giao.</translation>
    </message>
    <message>
        <source>Creating shipments…</source>
        <translation>Đang tạo vận đơn…</translation>
    </message>
    <message>
        <source>Creating shipments</source>
        <translation>Tạo vận đơn</translation>
    </message>
    <message>
        <source>the carrier cannot be reached: they are sent when the connection is back.</source>
        <translation>chưa kết nối được đơn vị vận chuyển: vận đơn sẽ được gửi khi có mạng trở lại.</translation>
    </message>
    <message>
        <source>The carrier refused: %1</source>
        <translation>Đơn vị vận chuyển từ chối: %1</translation>
    </message>
    <message>
        <source>The shipments wait to be sent: %1</source>
        <translation>Vận đơn đang chờ gửi: %1</translation>
    </message>
    <message>
        <source>Refused: %1</source>
        <translation>Bị từ chối: %1</translation>
    </message>
</context>
<context>
    <name>ChangeText</name>
    <message>
        <source>%1 pt</source>
        <extracomment>The range choices, in the combo&apos;s order. The calendar ranges: compared with the same days of the week, month or year before (reports.COMPARES); the others with the same number of days just before them.</extracomment>
        <translation>%1 điểm %</translation>
    </message>
    <message>
        <source>vs %1</source>
        <translation>so với %1</translation>
    </message>
    <message>
        <source>vs %1 – %2</source>
        <translation>so với %1 – %2</translation>
    </message>
    <message>
        <source>vs yesterday until %1</source>
        <translation>so với hôm qua đến %1</translation>
    </message>
    <message>
        <source>vs %1 until %2</source>
        <translation>so với %1, đến %2</translation>
    </message>
    <message>
        <source>vs %1 – %2 until %3</source>
        <translation>so với %1 – %2 (ngày cuối đến %3)</translation>
    </message>
</context>
<context>
    <name>ChannelsSettings</name>
    <message>
        <source>Sales channels</source>
        <extracomment>A shop was added, linked, re-authorised, disconnected or synced. Add shop&apos;s &quot;import orders from a file instead&quot; (the main window opens Orders → Import). What the message line says, asked again on every refresh: in the language of the moment, and &quot;&quot; once it is no longer true (a shop said connected that was disconnected since).</extracomment>
        <translation>Kênh bán hàng</translation>
    </message>
    <message>
        <source>Shop</source>
        <translation>Gian hàng</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>Kênh bán</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Last sync</source>
        <translation>Đồng bộ gần nhất</translation>
    </message>
    <message>
        <source>Authorisation until</source>
        <translation>Ủy quyền đến</translation>
    </message>
    <message>
        <source>Marketplace shop ID</source>
        <translation>ID gian hàng trên sàn</translation>
    </message>
    <message>
        <source>&amp;Sync now</source>
        <translation>Đồng bộ &amp;ngay</translation>
    </message>
    <message>
        <source>Fetch &amp;listings…</source>
        <translation>Lấy &amp;sản phẩm đang bán…</translation>
    </message>
    <message>
        <source>Read the shop&apos;s listings from the marketplace and link them to the products by SKU, so stock changes reach them</source>
        <translation>Đọc các sản phẩm đang bán của gian hàng trên sàn và liên kết với sản phẩm trong ứng dụng theo mã SKU, để tồn kho thay đổi được cập nhật lên sàn</translation>
    </message>
    <message>
        <source>&amp;Re-authorise…</source>
        <translation>Ủy quyền &amp;lại…</translation>
    </message>
    <message>
        <source>&amp;Disconnect</source>
        <translation>Ngắt &amp;kết nối</translation>
    </message>
    <message>
        <source>App &amp;credentials…</source>
        <translation>Thông tin ứng &amp;dụng…</translation>
    </message>
    <message>
        <source>order confirmations</source>
        <translation>xác nhận đơn</translation>
    </message>
    <message>
        <source>cancellations</source>
        <translation>hủy đơn</translation>
    </message>
    <message>
        <source>stock</source>
        <translation>tồn kho</translation>
    </message>
    <message>
        <source>%1: the app sends %2 by itself.</source>
        <translation>%1: ứng dụng tự gửi %2 lên sàn.</translation>
    </message>
    <message>
        <source>%1: the app sends %2 by itself; handle %3 in Seller Center.</source>
        <translation>%1: ứng dụng tự gửi %2 lên sàn; còn %3 thì làm trong Seller Center.</translation>
    </message>
    <message>
        <source>%1: the app sends nothing back; handle %3 in Seller Center.</source>
        <translation>%1: ứng dụng không gửi gì lên sàn; %3 làm trong Seller Center.</translation>
    </message>
    <message>
        <source>%1 and %2</source>
        <translation>%1 và %2</translation>
    </message>
    <message>
        <source>No marketplace shop yet.</source>
        <translation>Chưa có gian hàng trên sàn nào.</translation>
    </message>
    <message>
        <source>To connect a shop, the app needs your app&apos;s ID and key (secret) from the marketplace&apos;s open platform, where you register an app:</source>
        <translation>Để kết nối gian hàng, ứng dụng cần ID và khóa (secret) của ứng dụng bạn đăng ký trên nền tảng mở của sàn:</translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation>Đã ngắt kết nối</translation>
    </message>
    <message>
        <source>Needs re-authorisation</source>
        <translation>Cần ủy quyền lại</translation>
    </message>
    <message>
        <source>Not linked</source>
        <translation>Chưa liên kết</translation>
    </message>
    <message>
        <source>Paused until %1 (daily API limit)</source>
        <translation>Tạm dừng đến %1 (hết hạn mức API trong ngày)</translation>
    </message>
    <message>
        <source>Connected — last sync failed</source>
        <translation>Đã kết nối — lần đồng bộ gần nhất bị lỗi</translation>
    </message>
    <message>
        <source>Connected — re-authorise before %1</source>
        <translation>Đã kết nối — cần ủy quyền lại trước %1</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Đã kết nối</translation>
    </message>
    <message>
        <source>Authorise again soon, or these shops stop syncing:</source>
        <translation>Hãy sớm ủy quyền lại, nếu không các gian hàng này sẽ ngừng đồng bộ:</translation>
    </message>
    <message>
        <source>%1: before %2</source>
        <translation>%1: trước %2</translation>
    </message>
    <message>
        <source>(%1 does not extend the authorisation when the app renews its tokens)</source>
        <translation>(%1 không gia hạn ủy quyền khi ứng dụng làm mới token)</translation>
    </message>
    <message>
        <source>The data was restored from a backup taken before these shops were linked: %1. Authorise each again: select it, then Re-authorise… (App credentials… first, when Re-authorise… is greyed out).</source>
        <translation>Dữ liệu đã được khôi phục từ bản sao lưu tạo trước khi các gian hàng này được liên kết: %1. Hãy ủy quyền lại từng gian hàng: chọn gian hàng rồi bấm Ủy quyền lại… (nếu nút này bị mờ, nhập Thông tin ứng dụng… trước).</translation>
    </message>
    <message>
        <source>Access token until %1 (renewed automatically)</source>
        <translation>Access token đến %1 (tự động gia hạn)</translation>
    </message>
    <message>
        <source>Refresh token until %1</source>
        <translation>Refresh token đến %1</translation>
    </message>
    <message>
        <source>%1 does not extend the refresh token when it renews access: authorise again before it ends.</source>
        <translation>%1 không gia hạn refresh token khi làm mới quyền truy cập: hãy ủy quyền lại trước khi hết hạn.</translation>
    </message>
    <message>
        <source>The seller&apos;s authorisation ends %1</source>
        <translation>Ủy quyền của người bán hết hạn %1</translation>
    </message>
    <message>
        <source>Name on the marketplace: %1</source>
        <translation>Tên trên sàn: %1</translation>
    </message>
    <message>
        <source>Last error: %1</source>
        <translation>Lỗi gần nhất: %1</translation>
    </message>
    <message>
        <source>Credentials of %1 saved.</source>
        <translation>Đã lưu thông tin ứng dụng %1.</translation>
    </message>
    <message>
        <source>%1 is connected (marketplace shop %2).</source>
        <translation>Đã kết nối %1 (gian hàng %2 trên sàn).</translation>
    </message>
    <message>
        <source>Fetch listings to link its items to your products.</source>
        <translation>Hãy lấy sản phẩm đang bán để liên kết sản phẩm trên sàn với sản phẩm của bạn.</translation>
    </message>
    <message>
        <source>%n action waiting for this shop will be sent when it is connected again.</source>
        <translation>%n thao tác đang chờ của cửa hàng này sẽ được gửi khi cửa hàng được kết nối lại.</translation>
    </message>
    <message>
        <source>%n actions waiting for this shop will be sent when it is connected again.</source>
        <translation>%n thao tác đang chờ của cửa hàng này sẽ được gửi khi cửa hàng được kết nối lại.</translation>
    </message>
    <message>
        <source>Disconnect %1</source>
        <translation>Ngắt kết nối %1</translation>
    </message>
    <message>
        <source>Disconnect %1? The app stops fetching its orders and sending confirmations and stock. Its orders stay here; you can re-authorise it later.</source>
        <translation>Ngắt kết nối %1? Ứng dụng sẽ ngừng tải đơn hàng và ngừng gửi xác nhận, tồn kho lên sàn. Đơn hàng vẫn được giữ lại; bạn có thể ủy quyền lại sau.</translation>
    </message>
    <message>
        <source>Marketplace shops linked to this app. Orders of a connected shop are fetched every few minutes. Disconnecting removes the shop&apos;s access (its orders stay).</source>
        <translation>Các gian hàng trên sàn đã liên kết với ứng dụng. Đơn hàng của gian hàng đã kết nối được tải về vài phút một lần. Ngắt kết nối sẽ thu hồi quyền truy cập gian hàng (đơn hàng vẫn được giữ lại).</translation>
    </message>
    <message>
        <source>&amp;Add shop…</source>
        <translation>&amp;Thêm gian hàng…</translation>
    </message>
    <message>
        <source>Then add the shop with Add shop. Without an app, export your orders from Seller Center as Excel (Shopee, Lazada, TikTok Shop) and bring them in with Orders → Import.</source>
        <translation>Sau đó thêm gian hàng bằng nút Thêm gian hàng. Nếu chưa có ứng dụng, hãy xuất đơn hàng từ Seller Center ra file Excel (Shopee, Lazada, TikTok Shop) rồi nhập vào bằng Đơn hàng → Nhập tệp.</translation>
    </message>
    <message>
        <source>%1 is disconnected; its orders are kept.</source>
        <translation>Đã ngắt kết nối %1; đơn hàng vẫn được giữ lại.</translation>
    </message>
    <message>
        <source>Syncing %1…</source>
        <translation>Đang đồng bộ %1…</translation>
    </message>
    <message>
        <source>Marketplace sync</source>
        <translation>Đồng bộ từ sàn</translation>
    </message>
    <message>
        <source>the marketplace could not be reached; the next sync tries again</source>
        <extracomment>The list refreshes itself this often while shown (last sync moves with the scheduler). A shop whose authorisation ends sooner than this says so in its status. The shop name column is as wide as its names up to this; a longer name is cut with &quot;…&quot; (whole in its tooltip). The status takes the width left and is cut the same way.</extracomment>
        <translation>không kết nối được sàn; lần đồng bộ sau sẽ thử lại</translation>
    </message>
    <message>
        <source>the marketplace answered with an error; the next sync tries again</source>
        <translation>sàn trả về lỗi; lần đồng bộ sau sẽ thử lại</translation>
    </message>
    <message>
        <source>a sync of this shop is already running</source>
        <translation>gian hàng này đang được đồng bộ</translation>
    </message>
    <message>
        <source>the marketplace&apos;s daily limit is reached; the sync resumes after it resets</source>
        <translation>đã hết lượt gọi API trong ngày của sàn; đồng bộ sẽ tiếp tục khi lượt được đặt lại</translation>
    </message>
</context>
<context>
    <name>ChoosePasswordDialog</name>
    <message>
        <source>Choose your password</source>
        <translation>Đặt mật khẩu của bạn</translation>
    </message>
    <message>
        <source>You signed in with a one-time password. Choose your own password to go on.</source>
        <translation>Bạn đã đăng nhập bằng mật khẩu dùng một lần. Hãy đặt mật khẩu riêng để tiếp tục.</translation>
    </message>
    <message>
        <source>At least 8 characters</source>
        <translation>Ít nhất 8 ký tự</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>Mật khẩu mới</translation>
    </message>
    <message>
        <source>Repeat</source>
        <translation>Nhập lại</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>Hai mật khẩu không khớp nhau.</translation>
    </message>
</context>
<context>
    <name>ClockWarning</name>
    <message>
        <source>This PC&apos;s clock is %s behind the server&apos;s</source>
        <extracomment>How often the clocks are compared after sign-in (a clock fixed shows within this). The server&apos;s clock minus this PC&apos;s at the last check (None: not compared). A check not answered yet (tests wait on False).</extracomment>
        <translation>Đồng hồ máy này chậm %s so với máy chủ</translation>
    </message>
    <message>
        <source>This PC&apos;s clock is %s ahead of the server&apos;s</source>
        <translation>Đồng hồ máy này nhanh %s so với máy chủ</translation>
    </message>
    <message>
        <source>Sales, payments, stock movements and audit log entries made on this PC are stamped with its wrong time, so the end-of-day report, today&apos;s figures on Home and the order list&apos;s order go wrong.
To fix it in Windows: Settings → Time &amp; language → Date &amp; time, turn on “Set time automatically” (and check the time zone), then click “Sync now”. This warning goes away at the next check, within 10 minutes.
If this PC&apos;s time is right, the server&apos;s clock is wrong: ask whoever looks after the server.</source>
        <translation>Đơn bán, thanh toán, phiếu xuất nhập kho và nhật ký hoạt động tạo trên máy này đều bị ghi sai giờ: báo cáo cuối ngày, số liệu hôm nay ở Trang chủ và thứ tự danh sách đơn hàng sẽ bị sai.
Cách sửa trên Windows: vào Cài đặt → Thời gian &amp; ngôn ngữ → Ngày &amp; giờ, bật “Đặt thời gian tự động” (và kiểm tra múi giờ), rồi bấm “Đồng bộ hóa ngay”. Cảnh báo này tự tắt ở lần kiểm tra sau, trong vòng 10 phút.
Nếu giờ trên máy này đã đúng thì đồng hồ của máy chủ bị sai: hãy báo người quản lý máy chủ.</translation>
    </message>
    <message>
        <source>%n min</source>
        <translation>%n phút</translation>
    </message>
    <message>
        <source>%n hour</source>
        <translation>%n giờ</translation>
    </message>
    <message>
        <source>%n hours</source>
        <translation>%n giờ</translation>
    </message>
    <message>
        <source>%n day</source>
        <translation>%n ngày</translation>
    </message>
    <message>
        <source>%n days</source>
        <translation>%n ngày</translation>
    </message>
</context>
<context>
    <name>CustomerDetailDialog</name>
    <message>
        <source>Click to choose or remove the customer&apos;s picture</source>
        <extracomment>After any saved change (the list refreshes). An order of the history was double-clicked. &quot;Create order&quot; for this customer.</extracomment>
        <translation>Bấm để chọn hoặc gỡ ảnh của khách hàng</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Sửa…</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Xóa…</translation>
    </message>
    <message>
        <source>Create order</source>
        <translation>Tạo đơn hàng</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>Tải lại</translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation>Thống kê</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Đơn hàng</translation>
    </message>
    <message>
        <source>Addresses</source>
        <translation>Địa chỉ</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Công nợ</translation>
    </message>
    <message>
        <source>Tags and note</source>
        <translation>Thẻ và ghi chú</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Điểm</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>Hạng</translation>
    </message>
    <message>
        <source>Sales on account: what the customer owes, and their payments</source>
        <translation>Bán ghi nợ: khách còn nợ bao nhiêu, và các lần trả nợ</translation>
    </message>
    <message>
        <source>For sales on account (the Account tab)</source>
        <translation>Tiền khách nợ từ các đơn ghi nợ (thẻ Công nợ)</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>Liên hệ</translation>
    </message>
    <message>
        <source>Phones</source>
        <translation>Số điện thoại</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Email</translation>
    </message>
    <message>
        <source>Zalo</source>
        <translation>Zalo</translation>
    </message>
    <message>
        <source>Facebook</source>
        <translation>Facebook</translation>
    </message>
    <message>
        <source>Gender</source>
        <translation>Giới tính</translation>
    </message>
    <message>
        <source>Birthday</source>
        <translation>Ngày sinh</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Nguồn khách</translation>
    </message>
    <message>
        <source>Referred by</source>
        <translation>Người giới thiệu</translation>
    </message>
    <message>
        <source>Customer since</source>
        <translation>Khách hàng từ</translation>
    </message>
    <message>
        <source>Assigned staff member</source>
        <translation>Nhân viên phụ trách</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Từ</translation>
    </message>
    <message>
        <source>to</source>
        <translation>đến</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Xem</translation>
    </message>
    <message>
        <source>Successful orders</source>
        <translation>Đơn thành công</translation>
    </message>
    <message>
        <source>Average order value</source>
        <translation>Giá trị đơn trung bình</translation>
    </message>
    <message>
        <source>Success rate</source>
        <translation>Tỉ lệ thành công</translation>
    </message>
    <message>
        <source>Orders by status</source>
        <translation>Đơn hàng theo trạng thái</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Double-click an order to open it.</source>
        <translation>Nhấp đúp vào đơn hàng để mở.</translation>
    </message>
    <message>
        <source>This customer has no orders yet.</source>
        <translation>Khách hàng này chưa có đơn hàng nào.</translation>
    </message>
    <message>
        <source>Order date</source>
        <translation>Ngày đặt</translation>
    </message>
    <message>
        <source>Order ID</source>
        <translation>Mã đơn hàng</translation>
    </message>
    <message>
        <source>Shop</source>
        <translation>Gian hàng</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Tổng cộng</translation>
    </message>
    <message>
        <source>Add address…</source>
        <translation>Thêm địa chỉ…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Xóa</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Thẻ</translation>
    </message>
    <message>
        <source>Save tags</source>
        <translation>Lưu thẻ</translation>
    </message>
    <message>
        <source>Staff note</source>
        <translation>Ghi chú nội bộ</translation>
    </message>
    <message>
        <source>only staff see it, never printed</source>
        <translation>chỉ nhân viên xem được, không in ra</translation>
    </message>
    <message>
        <source>A note for the team about this customer</source>
        <translation>Ghi chú cho nhân viên về khách hàng này</translation>
    </message>
    <message>
        <source>Save note</source>
        <translation>Lưu ghi chú</translation>
    </message>
    <message>
        <source>Earned from successful orders (Settings → Points), taken back when an order is cancelled or returned, redeemed in Create order.</source>
        <translation>Tích từ đơn thành công (Cài đặt → Điểm thưởng), bị trừ lại khi đơn bị hủy hoặc trả hàng, dùng để đổi khi Tạo đơn hàng.</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Loại</translation>
    </message>
    <message>
        <source>Balance</source>
        <translation>Số dư</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Lý do</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Đơn hàng</translation>
    </message>
    <message>
        <source>Nobody was referred by this customer.</source>
        <translation>Khách hàng này chưa giới thiệu ai.</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Mã khách hàng</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Họ tên</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Ngày tạo</translation>
    </message>
    <message>
        <source>Updated with a change made elsewhere at %1.</source>
        <translation>Đã cập nhật theo thay đổi từ nơi khác lúc %1.</translation>
    </message>
    <message>
        <source>This customer no longer exists: they were deleted or merged elsewhere.</source>
        <translation>Khách hàng này không còn nữa: đã bị xóa hoặc gộp ở nơi khác.</translation>
    </message>
    <message>
        <source>Double-click to open the order</source>
        <translation>Nhấp đúp để mở đơn hàng</translation>
    </message>
    <message>
        <source>This customer was changed elsewhere at %1.</source>
        <translation>Khách hàng này đã được thay đổi ở nơi khác lúc %1.</translation>
    </message>
    <message>
        <source>Referrals</source>
        <translation>Giới thiệu</translation>
    </message>
    <message>
        <source>Total spent</source>
        <translation>Tổng chi tiêu</translation>
    </message>
    <message>
        <source>Updated with a change made on %1 at %2.</source>
        <translation>Đã cập nhật theo thay đổi trên máy %1 lúc %2.</translation>
    </message>
    <message>
        <source>This customer was changed on %1 at %2.</source>
        <translation>Khách hàng này đã được thay đổi trên máy %1 lúc %2.</translation>
    </message>
    <message>
        <source>Customer %1</source>
        <translation>Khách hàng %1</translation>
    </message>
    <message>
        <source>%1 remaining / %2 earned</source>
        <translation>còn %1 / đã tích %2</translation>
    </message>
    <message>
        <source>Owes %1</source>
        <translation>Còn nợ %1</translation>
    </message>
    <message>
        <source>Nobody</source>
        <translation>Chưa có</translation>
    </message>
    <message>
        <source>Showing the newest %1 of %2 orders.</source>
        <translation>Đang hiện %1 đơn mới nhất trong tổng số %2 đơn.</translation>
    </message>
    <message>
        <source>Show %1 more</source>
        <translation>Xem thêm %1</translation>
    </message>
    <message>
        <source>Default delivery address</source>
        <translation>Địa chỉ giao hàng mặc định</translation>
    </message>
    <message>
        <source>%1 of at most %2 addresses; adding one more replaces the oldest.</source>
        <translation>%1 / tối đa %2 địa chỉ; thêm địa chỉ mới sẽ thay thế địa chỉ cũ nhất.</translation>
    </message>
    <message>
        <source>Remaining %1 · total earned %2</source>
        <translation>Còn %1 · tổng đã tích %2</translation>
    </message>
    <message>
        <source>Showing the newest %1 of %2 points entries.</source>
        <translation>Đang hiện %1 dòng điểm mới nhất trong tổng số %2 dòng.</translation>
    </message>
    <message>
        <source>The end date is before the start date.</source>
        <translation>Ngày kết thúc trước ngày bắt đầu.</translation>
    </message>
    <message>
        <source>Customer statistics</source>
        <translation>Thống kê khách hàng</translation>
    </message>
    <message>
        <source>Deleting the customer</source>
        <translation>Đang xóa khách hàng</translation>
    </message>
    <message>
        <source>Choose a picture…</source>
        <translation>Chọn ảnh…</translation>
    </message>
    <message>
        <source>Remove the picture</source>
        <translation>Gỡ ảnh</translation>
    </message>
    <message>
        <source>Choose the customer&apos;s picture</source>
        <translation>Chọn ảnh của khách hàng</translation>
    </message>
    <message>
        <source>Pictures (*.jpg *.jpeg *.png *.webp *.gif *.bmp)</source>
        <translation>Ảnh (*.jpg *.jpeg *.png *.webp *.gif *.bmp)</translation>
    </message>
    <message>
        <source>Picture saved.</source>
        <translation>Đã lưu ảnh.</translation>
    </message>
    <message>
        <source>Picture removed.</source>
        <translation>Đã gỡ ảnh.</translation>
    </message>
    <message>
        <source>Saving the picture</source>
        <translation>Đang lưu ảnh</translation>
    </message>
    <message>
        <source>Saving the note</source>
        <translation>Đang lưu ghi chú</translation>
    </message>
    <message>
        <source>Note saved.</source>
        <translation>Đã lưu ghi chú.</translation>
    </message>
    <message>
        <source>Saving the tags</source>
        <translation>Đang lưu thẻ</translation>
    </message>
    <message>
        <source>Tags saved.</source>
        <translation>Đã lưu thẻ.</translation>
    </message>
    <message>
        <source>Assigning the customer</source>
        <translation>Đang phân công nhân viên phụ trách</translation>
    </message>
    <message>
        <source>Replace the oldest address</source>
        <translation>Thay thế địa chỉ cũ nhất</translation>
    </message>
    <message>
        <source>This customer already has %1 addresses, the most kept. Saving this one replaces the oldest:
%2

Save it?</source>
        <translation>Khách hàng này đã có %1 địa chỉ, là số tối đa được lưu. Lưu địa chỉ này sẽ thay thế địa chỉ cũ nhất:
%2

Vẫn lưu?</translation>
    </message>
    <message>
        <source>Saving the address</source>
        <translation>Đang lưu địa chỉ</translation>
    </message>
    <message>
        <source>Address added; it replaced the oldest one: %1</source>
        <translation>Đã thêm địa chỉ, thay thế địa chỉ cũ nhất: %1</translation>
    </message>
    <message>
        <source>Address added.</source>
        <translation>Đã thêm địa chỉ.</translation>
    </message>
    <message>
        <source>Removing the address</source>
        <translation>Đang xóa địa chỉ</translation>
    </message>
</context>
<context>
    <name>CustomerEditor</name>
    <message>
        <source>e.g. 0912 345 678</source>
        <extracomment>The source of a customer added here (`Customer.source`) unless another is picked. The sources offered in the list (others can be typed): the app&apos;s own, then the marketplaces a synced customer comes from. The form&apos;s fields in the order of its rows (`captions`): a change is named by its row. A staff note longer than this is cut in the list of changes. The customer saved and what happened: &quot;created&quot;, &quot;updated&quot; or &quot;skipped&quot;. The duplicate box&apos;s &quot;Replace the name&quot; (None: the name would not change). The form as loaded (`_typed`): closing asks first once it differs. The customer as stored when the form was filled (editing): saving is refused once another PC or window has changed it, rather than undoing that change. The source was picked or typed (not just the pre-set &quot;Added by hand&quot;).</extracomment>
        <translation>Ví dụ: 0912 345 678</translation>
    </message>
    <message>
        <source>Add customer</source>
        <translation>Thêm khách hàng</translation>
    </message>
    <message>
        <source>Edit customer</source>
        <translation>Sửa khách hàng</translation>
    </message>
    <message>
        <source>Name *</source>
        <translation>Họ tên *</translation>
    </message>
    <message>
        <source>Phones</source>
        <translation>Số điện thoại</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Email</translation>
    </message>
    <message>
        <source>Zalo id</source>
        <translation>Zalo ID</translation>
    </message>
    <message>
        <source>Facebook id</source>
        <translation>Facebook ID</translation>
    </message>
    <message>
        <source>Gender</source>
        <translation>Giới tính</translation>
    </message>
    <message>
        <source>Birthday</source>
        <translation>Ngày sinh</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Nguồn khách</translation>
    </message>
    <message>
        <source>Assigned staff member</source>
        <translation>Nhân viên phụ trách</translation>
    </message>
    <message>
        <source>Referrer</source>
        <translation>Người giới thiệu</translation>
    </message>
    <message>
        <source>Staff note</source>
        <translation>Ghi chú nội bộ</translation>
    </message>
    <message>
        <source>+ Another phone</source>
        <translation>+ Thêm số điện thoại</translation>
    </message>
    <message>
        <source>Known</source>
        <translation>Có ngày sinh</translation>
    </message>
    <message>
        <source>Name, phone or customer code</source>
        <translation>Tên, số điện thoại hoặc mã khách hàng</translation>
    </message>
    <message>
        <source>Only staff see it; never printed</source>
        <translation>Chỉ nhân viên xem được; không in ra</translation>
    </message>
    <message>
        <source>Nobody</source>
        <translation>Chưa có</translation>
    </message>
    <message>
        <source>%1 (disabled)</source>
        <translation>%1 (đã vô hiệu hóa)</translation>
    </message>
    <message>
        <source>Saving the customer</source>
        <translation>Đang lưu khách hàng</translation>
    </message>
    <message>
        <source>%1 already belongs to %2 (%3). Remove it here, or merge the two customers.</source>
        <translation>%1 đã thuộc về %2 (%3). Hãy xóa số này ở đây, hoặc gộp hai khách hàng.</translation>
    </message>
    <message>
        <source>Phone already used</source>
        <translation>Số điện thoại đã được dùng</translation>
    </message>
    <message>
        <source>%1 already belongs to %2 (%3).</source>
        <translation>%1 đã thuộc về %2 (%3).</translation>
    </message>
    <message>
        <source>Replace the name: %1 → %2</source>
        <translation>Đổi tên: %1 → %2</translation>
    </message>
    <message>
        <source>Updating that customer changes:</source>
        <translation>Cập nhật khách này sẽ thay đổi:</translation>
    </message>
    <message>
        <source>Updating that customer changes nothing else: what you typed is stored already.</source>
        <translation>Cập nhật khách này không thay đổi gì thêm: thông tin bạn gõ đã có sẵn.</translation>
    </message>
    <message>
        <source>The name stays %1 unless you tick below.</source>
        <translation>Tên vẫn giữ là %1 nếu bạn không đánh dấu bên dưới.</translation>
    </message>
    <message>
        <source>What should be done with this customer?</source>
        <translation>Bạn muốn xử lý khách hàng này thế nào?</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>Bỏ qua</translation>
    </message>
    <message>
        <source>Update the existing customer</source>
        <translation>Cập nhật khách hàng có sẵn</translation>
    </message>
    <message>
        <source>Create anyway</source>
        <translation>Vẫn tạo mới</translation>
    </message>
    <message>
        <source>This customer is not saved. Close and lose what you typed?</source>
        <translation>Khách hàng này chưa được lưu. Đóng và bỏ những gì đã nhập?</translation>
    </message>
    <message>
        <source>Your changes to this customer are not saved. Close and lose them?</source>
        <translation>Các thay đổi của khách hàng này chưa được lưu. Đóng và bỏ các thay đổi?</translation>
    </message>
    <message>
        <source>Close without saving</source>
        <translation>Đóng không lưu</translation>
    </message>
</context>
<context>
    <name>CustomerListPage</name>
    <message>
        <source>No customers match the search and the filters.</source>
        <extracomment>A customer should open (double-click or Enter on its row, or the row menu). &quot;Add customer&quot; was clicked. Export: a list of the selected ids, or None for the current filter and search. &quot;Import&quot; was clicked. The row menu&apos;s &quot;Create order&quot; on a customer. (query, customer) to select once that query has answered (`show_customer_row`).</extracomment>
        <translation>Không có khách hàng nào khớp với tìm kiếm và bộ lọc.</translation>
    </message>
    <message>
        <source>No customers yet: each order&apos;s buyer becomes one, or add one with Add customer.</source>
        <translation>Chưa có khách hàng: người mua của mỗi đơn hàng sẽ thành khách hàng, hoặc thêm bằng nút Thêm khách hàng.</translation>
    </message>
</context>
<context>
    <name>CustomersPage</name>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <extracomment>Export file types offered: (filter text, translated when shown; format).</extracomment>
        <translation>Tệp Excel (*.xlsx)</translation>
    </message>
    <message>
        <source>CSV, UTF-8 (*.csv)</source>
        <translation>CSV, UTF-8 (*.csv)</translation>
    </message>
    <message>
        <source>Text, tab-separated (*.txt)</source>
        <translation>Văn bản, phân cách bằng tab (*.txt)</translation>
    </message>
    <message>
        <source>Columns to export</source>
        <translation>Cột cần xuất</translation>
    </message>
    <message>
        <source>Untick the columns you do not want in the file.</source>
        <translation>Bỏ chọn các cột bạn không muốn có trong tệp.</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Tất cả</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Bỏ chọn hết</translation>
    </message>
    <message>
        <source>Export customers</source>
        <translation>Xuất khách hàng</translation>
    </message>
    <message>
        <source>Added %1.</source>
        <extracomment>The list is read again whenever the tab shows (`refresh_shown`): the main window has nothing more to do then for changes made elsewhere. Hidden since the list was read (another tab was open): read it again on show.</extracomment>
        <translation>Đã thêm %1.</translation>
    </message>
    <message>
        <source>Updated %1.</source>
        <translation>Đã cập nhật %1.</translation>
    </message>
    <message>
        <source>Skipped: the phone already belongs to %1, left unchanged.</source>
        <translation>Đã bỏ qua: số điện thoại đã thuộc về %1, giữ nguyên.</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Mở</translation>
    </message>
    <message>
        <source>Exporting customers</source>
        <translation>Đang xuất khách hàng</translation>
    </message>
    <message>
        <source>%n customer exported to %1.</source>
        <translation>Đã xuất %n khách hàng ra %1.</translation>
    </message>
    <message>
        <source>%n customers exported to %1.</source>
        <translation>Đã xuất %n khách hàng ra %1.</translation>
    </message>
    <message>
        <source>Export finished</source>
        <translation>Đã xuất xong</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Mở thư mục</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>Khách hàng</translation>
    </message>
    <message>
        <source>Segments</source>
        <translation>Phân khúc</translation>
    </message>
    <message>
        <source>Tags…</source>
        <translation>Thẻ…</translation>
    </message>
    <message>
        <source>Find duplicates…</source>
        <translation>Tìm khách trùng…</translation>
    </message>
</context>
<context>
    <name>DeliveryAddressDialog</name>
    <message>
        <source>Delivery address of order %1</source>
        <extracomment>The customer address&apos;s field names (services/customer_detail.py) → this form&apos;s. The 2025 provinces as places, for the search typed into `province_combo`.</extracomment>
        <translation>Địa chỉ giao hàng của đơn %1</translation>
    </message>
    <message>
        <source>Recipient</source>
        <translation>Người nhận</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Số điện thoại</translation>
    </message>
    <message>
        <source>Street address</source>
        <translation>Số nhà, tên đường</translation>
    </message>
    <message>
        <source>Ward / commune</source>
        <translation>Phường / xã</translation>
    </message>
    <message>
        <source>District (old address)</source>
        <translation>Quận / huyện (địa chỉ cũ)</translation>
    </message>
    <message>
        <source>House number, street</source>
        <translation>Số nhà, tên đường</translation>
    </message>
    <message>
        <source>Province / city</source>
        <translation>Tỉnh / thành phố</translation>
    </message>
    <message>
        <source>Also make it %1&apos;s default address</source>
        <translation>Đặt làm địa chỉ mặc định của %1</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Saving the delivery address</source>
        <translation>Đang lưu địa chỉ giao hàng</translation>
    </message>
</context>
<context>
    <name>DetailPage</name>
    <message>
        <source>← Back</source>
        <extracomment>lupdate extracts translate(&quot;Context&quot;, &quot;literal&quot;) calls, not a wrapper&apos;s. The chart&apos;s colour. The previous period&apos;s line (dashed). A ranking cell&apos;s data: the value it sorts by; the first cell&apos;s: its row&apos;s key. Beside a figure&apos;s text: the style sheet&apos;s cell padding, the style&apos;s text margins (3 px a side), the grid line and a few pixels for glyphs drawn wider than measured. pyqtgraph writes months and weekdays with the C locale&apos;s English names (its own ticks: a chart with no period yet). Between two tick labels of the date axis, in pixels. Beside a title: the style sheet&apos;s padding (8 px a side), the arrow, Qt&apos;s margins. The previous period of the ranking&apos;s changes, as on the overview (reports.COMPARES). A province or carrier ranking opened from a top 5 by orders: sorted by orders, the chart counting the row&apos;s orders (else by revenue, charting its revenue).</extracomment>
        <translation>← Quay lại</translation>
    </message>
    <message>
        <source>By day</source>
        <translation>Theo ngày</translation>
    </message>
    <message>
        <source>By week</source>
        <translation>Theo tuần</translation>
    </message>
    <message>
        <source>By month</source>
        <translation>Theo tháng</translation>
    </message>
    <message>
        <source>Search the table</source>
        <translation>Tìm trong bảng</translation>
    </message>
    <message>
        <source>Export to Excel</source>
        <translation>Xuất Excel</translation>
    </message>
    <message>
        <source>Dashed line, hollow dot: a week or month the range cuts short (fewer days than a whole one).</source>
        <translation>Nét đứt, chấm rỗng: tuần hoặc tháng bị khoảng ngày cắt bớt (ít ngày hơn cả tuần/tháng).</translation>
    </message>
    <message>
        <source>Total revenue</source>
        <extracomment>The line to and from a week or month the range cut short, dashed.</extracomment>
        <translation>Tổng doanh thu</translation>
    </message>
    <message>
        <source>Total orders</source>
        <translation>Tổng đơn hàng</translation>
    </message>
    <message>
        <source>New orders</source>
        <translation>Đơn hàng mới</translation>
    </message>
    <message>
        <source>Products sold</source>
        <translation>Sản phẩm đã bán</translation>
    </message>
    <message>
        <source>Gross profit</source>
        <translation>Lợi nhuận gộp</translation>
    </message>
    <message>
        <source>Repeat purchase customer rate</source>
        <translation>Tỉ lệ khách mua lại</translation>
    </message>
    <message>
        <source>Locations</source>
        <translation>Khu vực</translation>
    </message>
    <message>
        <source>Shipping providers</source>
        <translation>Đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>Product rank</source>
        <translation>Xếp hạng sản phẩm</translation>
    </message>
    <message>
        <source>Items no longer in the catalogue</source>
        <translation>Sản phẩm không còn trong danh mục</translation>
    </message>
    <message>
        <source>Units sold</source>
        <translation>SL đã bán</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Đơn hàng</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Thay đổi</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Revenue</source>
        <translation>Doanh thu</translation>
    </message>
    <message>
        <source>Previous period</source>
        <translation>Kỳ trước</translation>
    </message>
    <message>
        <source>Whole range</source>
        <translation>Cả kỳ</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Tổng</translation>
    </message>
    <message>
        <source>Dashed line, hollow dot: today, counted so far (to %1), not a whole period yet.</source>
        <translation>Nét đứt, chấm rỗng: hôm nay, tính đến %1, chưa trọn kỳ.</translation>
    </message>
    <message>
        <source>Grey dashed line: the previous period, %1</source>
        <translation>Đường nét đứt màu xám: kỳ trước, %1</translation>
    </message>
    <message>
        <source>(part: %n day, to %1)</source>
        <translation>(một phần: %n ngày, đến %1)</translation>
    </message>
    <message>
        <source>(part: %n days, to %1)</source>
        <translation>(một phần: %n ngày, đến %1)</translation>
    </message>
    <message>
        <source>(part: %n day)</source>
        <translation>(một phần: %n ngày)</translation>
    </message>
    <message>
        <source>(part: %n days)</source>
        <translation>(một phần: %n ngày)</translation>
    </message>
    <message>
        <source>(to %1)</source>
        <translation>(đến %1)</translation>
    </message>
    <message>
        <source>Previous period: %1</source>
        <translation>Kỳ trước: %1</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>%n row</source>
        <translation>%n dòng</translation>
    </message>
    <message>
        <source>%n rows</source>
        <translation>%n dòng</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Không rõ</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>Kỳ</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Từ ngày</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Đến ngày</translation>
    </message>
    <message>
        <source>Exporting</source>
        <translation>Đang xuất</translation>
    </message>
</context>
<context>
    <name>DuplicatesDialog</name>
    <message>
        <source>Duplicate customers</source>
        <extracomment>What the last merge (or &quot;Not duplicates&quot;) did, until the groups are read again.</extracomment>
        <translation>Khách hàng trùng</translation>
    </message>
    <message>
        <source>Keep</source>
        <translation>Giữ lại</translation>
    </message>
    <message>
        <source>Merge</source>
        <translation>Gộp</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Họ tên</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Mã khách hàng</translation>
    </message>
    <message>
        <source>Phones</source>
        <translation>Số điện thoại</translation>
    </message>
    <message>
        <source>Province</source>
        <translation>Tỉnh / thành</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Số đơn</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Ngày tạo</translation>
    </message>
    <message>
        <source>Owes</source>
        <translation>Còn nợ</translation>
    </message>
    <message>
        <source>Customers with the same phone, or the same name in the same province. In each group tick Keep on the customer who stays and Merge on those to merge into it: their orders, points, tags, segments, addresses, phones and marketplace ids move to the customer kept. For customers who are really different people (a husband and wife sharing a phone), use Not duplicates…: their group is no longer shown. Same name only is a possible match: nothing is ticked, compare the address and latest order first.</source>
        <translation>Các khách hàng trùng số điện thoại, hoặc trùng tên trong cùng tỉnh/thành. Trong mỗi nhóm, đánh dấu “Giữ lại” cho khách hàng được giữ và “Gộp” cho các khách hàng cần gộp vào: đơn hàng, điểm, thẻ, phân khúc, địa chỉ, số điện thoại và ID trên sàn của họ sẽ chuyển sang khách hàng được giữ lại. Nếu đây thật sự là những người khác nhau (vợ chồng dùng chung một số điện thoại), chọn “Không trùng…”: nhóm đó sẽ không hiện nữa. Chỉ trùng tên là “có thể trùng”: không ô nào được đánh dấu sẵn, hãy so địa chỉ và đơn gần nhất trước.</translation>
    </message>
    <message>
        <source>Latest order</source>
        <translation>Đơn gần nhất</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Địa chỉ</translation>
    </message>
    <message>
        <source>Total spent</source>
        <translation>Tổng chi tiêu</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Làm mới</translation>
    </message>
    <message>
        <source>Merge…</source>
        <translation>Gộp…</translation>
    </message>
    <message>
        <source>Only the owner or a manager merges customers.</source>
        <translation>Chỉ chủ cửa hàng hoặc quản lý được gộp khách hàng.</translation>
    </message>
    <message>
        <source>Not duplicates…</source>
        <translation>Không trùng…</translation>
    </message>
    <message>
        <source>The customers of this group are different people: stop showing them as duplicates.</source>
        <translation>Các khách hàng trong nhóm này là những người khác nhau: không hiện họ là khách hàng trùng nữa.</translation>
    </message>
    <message>
        <source>Only the owner or a manager says customers are not duplicates.</source>
        <translation>Chỉ chủ cửa hàng hoặc quản lý mới được xác nhận khách hàng không trùng.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Same phone {phone} ({n} customers)</source>
        <translation>Trùng số điện thoại {phone} ({n} khách hàng)</translation>
    </message>
    <message>
        <source>No likely duplicates found.</source>
        <translation>Không tìm thấy khách hàng nào có khả năng bị trùng.</translation>
    </message>
    <message>
        <source>Merge {names} into {survivor}?

Their orders, what they owe (sales on account and payments), points, tags, segments, addresses (the newest 10 kept), phones and marketplace ids move to {survivor}; they are then hidden from the lists. This cannot be undone.</source>
        <translation>Gộp {names} vào {survivor}?

Đơn hàng, công nợ (đơn bán ghi nợ và phiếu thu nợ), điểm, thẻ, phân khúc, địa chỉ (giữ 10 địa chỉ mới nhất), số điện thoại và ID trên sàn của họ sẽ chuyển sang {survivor}; sau đó họ được ẩn khỏi các danh sách. Thao tác này không thể hoàn tác.</translation>
    </message>
    <message>
        <source>Are {names} different people?

They will no longer be shown as duplicates of one another, even if they later share more (a phone, a name).</source>
        <translation>{names} có phải là những người khác nhau không?

Họ sẽ không còn hiện là khách hàng trùng của nhau nữa, kể cả khi sau này có thêm điểm chung (số điện thoại, tên).</translation>
    </message>
    <message>
        <source>Not duplicates</source>
        <translation>Không trùng</translation>
    </message>
    <message>
        <source>{names}: no longer shown as duplicates.</source>
        <translation>{names}: không còn hiện là khách hàng trùng.</translation>
    </message>
    <message>
        <source>Merge customers</source>
        <translation>Gộp khách hàng</translation>
    </message>
    <message>
        <source>Possible match: same name and province, {key} ({n} customers)</source>
        <translation>Có thể trùng: cùng tên và tỉnh/thành, {key} ({n} khách hàng)</translation>
    </message>
    <message>
        <source>Merged {n} customer(s) into {survivor}: {orders} order(s) moved.</source>
        <translation>Đã gộp {n} khách hàng vào {survivor}: đã chuyển {orders} đơn hàng.</translation>
    </message>
</context>
<context>
    <name>EndOfDayDialog</name>
    <message>
        <source>All staff</source>
        <extracomment>The difference&apos;s colour: short (red), exact (green), over (amber). The cash count&apos;s width where the payments&apos; columns leave room for it. The figures across the top; &quot;profit&quot; only for users who see Analytics. What the report shown was read for: (day, shop ids, staff member&apos;s id). What the last count recorded (`_count_key`): the same again is not offered.</extracomment>
        <translation>Tất cả nhân viên</translation>
    </message>
    <message>
        <source>All shops</source>
        <translation>Tất cả gian hàng</translation>
    </message>
    <message>
        <source>Reading…</source>
        <translation>Đang đọc…</translation>
    </message>
    <message>
        <source>%n order</source>
        <translation>%n đơn hàng</translation>
    </message>
    <message>
        <source>%n orders</source>
        <translation>%n đơn hàng</translation>
    </message>
    <message>
        <source>%n item</source>
        <translation>%n sản phẩm</translation>
    </message>
    <message>
        <source>%n items</source>
        <translation>%n sản phẩm</translation>
    </message>
    <message>
        <source>%n refund</source>
        <translation>%n lượt hoàn tiền</translation>
    </message>
    <message>
        <source>%n refunds</source>
        <translation>%n lượt hoàn tiền</translation>
    </message>
    <message>
        <source>Sales − refunds</source>
        <translation>Doanh số − tiền hoàn</translation>
    </message>
    <message>
        <source>Cash sales − cash refunds</source>
        <translation>Tiền mặt bán hàng − tiền mặt hoàn</translation>
    </message>
    <message>
        <source>Goods %1 · discounts %2 · shipping %3</source>
        <translation>Tiền hàng %1 · giảm giá %2 · phí vận chuyển %3</translation>
    </message>
    <message>
        <source>On the day&apos;s sales, at their cost when sold</source>
        <translation>Trên doanh số trong ngày, theo giá vốn lúc bán</translation>
    </message>
    <message>
        <source>%n order cancelled</source>
        <translation>Đã hủy %n đơn hàng</translation>
    </message>
    <message>
        <source>%n orders cancelled</source>
        <translation>Đã hủy %n đơn hàng</translation>
    </message>
    <message>
        <source>No sales, cancellations or refunds on this day.</source>
        <translation>Không có bán hàng, hủy đơn hay hoàn tiền trong ngày này.</translation>
    </message>
    <message>
        <source>%n exchange</source>
        <translation>%n lượt đổi hàng</translation>
    </message>
    <message>
        <source>%n exchanges</source>
        <translation>%n lượt đổi hàng</translation>
    </message>
    <message>
        <source>Cannot read “%1” as an amount: type e.g. 1500000, 1500k or 1,5tr.</source>
        <translation>Không đọc được “%1” thành số tiền: gõ ví dụ 1500000, 1500k hoặc 1,5tr.</translation>
    </message>
    <message>
        <source>%1 short</source>
        <translation>thiếu %1</translation>
    </message>
    <message>
        <source>%1 over</source>
        <translation>thừa %1</translation>
    </message>
    <message>
        <source>Exact</source>
        <translation>Khớp</translation>
    </message>
    <message>
        <source>This count is recorded: change an amount or the note to count again</source>
        <translation>Lần kiểm này đã được ghi: sửa số tiền hoặc ghi chú để kiểm lại</translation>
    </message>
    <message>
        <source>Counting the till</source>
        <translation>Đang ghi kiểm két</translation>
    </message>
    <message>
        <source>The drawer is %1: counted %2, expected %3. Record this count?</source>
        <translation>Két đang %1: đếm được %2, cần có %3. Ghi nhận lần đếm này?</translation>
    </message>
    <message>
        <source>Till counted: %1</source>
        <translation>Đã ghi kiểm két: %1</translation>
    </message>
    <message>
        <source>Printing…</source>
        <translation>Đang in…</translation>
    </message>
    <message>
        <source>Printing the end-of-day report</source>
        <translation>Đang in báo cáo cuối ngày</translation>
    </message>
    <message>
        <source>Printed to %1</source>
        <translation>Đã in ra %1</translation>
    </message>
    <message>
        <source>Saved to %1</source>
        <translation>Đã lưu vào %1</translation>
    </message>
    <message>
        <source>Copied: paste it into Zalo or Messenger.</source>
        <translation>Đã sao chép: dán vào Zalo hoặc Messenger.</translation>
    </message>
    <message>
        <source>Export the end-of-day report</source>
        <translation>Xuất báo cáo cuối ngày</translation>
    </message>
    <message>
        <source>Exporting the end-of-day report</source>
        <translation>Đang xuất báo cáo cuối ngày</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>Đã xuất ra %1</translation>
    </message>
    <message>
        <source>The end-of-day report is in %1.</source>
        <translation>Báo cáo cuối ngày đã được lưu tại %1.</translation>
    </message>
    <message>
        <source>Export finished</source>
        <translation>Đã xuất xong</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Mở thư mục</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>Ngày</translation>
    </message>
    <message>
        <source>Shops</source>
        <translation>Gian hàng</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Nhân viên</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Số đơn</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Số sản phẩm</translation>
    </message>
    <message>
        <source>Goods</source>
        <translation>Tiền hàng</translation>
    </message>
    <message>
        <source>Discounts</source>
        <translation>Giảm giá</translation>
    </message>
    <message>
        <source>Shipping</source>
        <translation>Phí vận chuyển</translation>
    </message>
    <message>
        <source>Sales</source>
        <translation>Doanh số</translation>
    </message>
    <message>
        <source>Cancelled orders</source>
        <translation>Đơn đã hủy</translation>
    </message>
    <message>
        <source>Cancelled value</source>
        <translation>Giá trị đơn hủy</translation>
    </message>
    <message>
        <source>Refunds</source>
        <translation>Lượt hoàn tiền</translation>
    </message>
    <message>
        <source>Items returned</source>
        <translation>Sản phẩm trả lại</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Tiền hoàn</translation>
    </message>
    <message>
        <source>Net</source>
        <translation>Doanh số thuần</translation>
    </message>
    <message>
        <source>Debts collected</source>
        <translation>Thu nợ khách</translation>
    </message>
    <message>
        <source>Cash in drawer</source>
        <translation>Tiền mặt trong két</translation>
    </message>
    <message>
        <source>Gross profit</source>
        <translation>Lợi nhuận gộp</translation>
    </message>
    <message>
        <source>Below zero: %1 paid to suppliers in cash</source>
        <translation>Bị âm do trả nhà cung cấp %1 tiền mặt</translation>
    </message>
    <message>
        <source>Below zero: %1 given back and %2 paid to suppliers in cash</source>
        <translation>Bị âm do hoàn tiền %1 và trả nhà cung cấp %2 tiền mặt</translation>
    </message>
    <message>
        <source>Below zero: %1 given back in cash</source>
        <translation>Bị âm do hoàn %1 tiền mặt</translation>
    </message>
    <message>
        <source>Cash taken for the day&apos;s sales and for debts customers paid, less cash given back for returns and cash paid to suppliers (Products → Suppliers); the float the till started with is not included.</source>
        <translation>Tiền mặt thu từ bán hàng trong ngày và khách trả nợ, trừ tiền mặt hoàn cho hàng trả lại và tiền mặt trả nhà cung cấp (Sản phẩm → Nhà cung cấp); chưa gồm tiền đầu ca.</translation>
    </message>
    <message>
        <source>Cash paid to suppliers</source>
        <translation>Tiền mặt trả nhà cung cấp</translation>
    </message>
    <message>
        <source>%1 · %2, counted by %3: float %4, expected %5, counted %6, %7</source>
        <translation>%1 · %2, người kiểm %3: tiền đầu ca %4, phải có %5, đếm được %6, %7</translation>
    </message>
    <message>
        <source>End of day</source>
        <translation>Cuối ngày</translation>
    </message>
    <message>
        <source>Payment methods</source>
        <translation>Thanh toán</translation>
    </message>
    <message>
        <source>Products sold</source>
        <translation>Sản phẩm đã bán</translation>
    </message>
    <message>
        <source>Payment method</source>
        <translation>Phương thức thanh toán</translation>
    </message>
    <message>
        <source>Debts paid</source>
        <translation>Thu nợ</translation>
    </message>
    <message>
        <source>+ %1 debts collected</source>
        <translation>+ %1 thu nợ</translation>
    </message>
    <message>
        <source>− %1 paid to suppliers</source>
        <translation>− %1 trả nhà cung cấp</translation>
    </message>
    <message>
        <source>Shop</source>
        <translation>Gian hàng</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>Số lượng</translation>
    </message>
    <message>
        <source>Revenue</source>
        <translation>Doanh thu</translation>
    </message>
    <message>
        <source>Copy as text</source>
        <translation>Sao chép dạng văn bản</translation>
    </message>
    <message>
        <source>Copy the day&apos;s figures as a message to paste into Zalo or Messenger</source>
        <translation>Sao chép số liệu trong ngày thành tin nhắn để dán vào Zalo hoặc Messenger</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>In</translation>
    </message>
    <message>
        <source>Print on the receipt printer</source>
        <translation>In ra máy in hóa đơn</translation>
    </message>
    <message>
        <source>Export Excel…</source>
        <translation>Xuất Excel…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Count the cash</source>
        <translation>Kiểm tiền mặt</translation>
    </message>
    <message>
        <source>Opening float</source>
        <translation>Tiền đầu ca</translation>
    </message>
    <message>
        <source>Cash counted</source>
        <translation>Tiền đếm được</translation>
    </message>
    <message>
        <source>Expected</source>
        <translation>Tiền phải có</translation>
    </message>
    <message>
        <source>Difference</source>
        <translation>Chênh lệch</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>Opening float + cash in drawer</source>
        <translation>Tiền đầu ca + tiền mặt trong két</translation>
    </message>
    <message>
        <source>Close the till</source>
        <translation>Chốt két</translation>
    </message>
    <message>
        <source>Record the count (who, when, the difference); print it with Print</source>
        <translation>Ghi lại lần kiểm (ai, lúc nào, chênh lệch); bấm In để in kèm báo cáo</translation>
    </message>
</context>
<context>
    <name>FetchListingsDialog</name>
    <message>
        <source>Fetch listings of %1</source>
        <translation>Lấy sản phẩm đang bán của %1</translation>
    </message>
    <message>
        <source>Reads every listing of %1 from the marketplace and links each one to the product with the same SKU, so the app&apos;s stock reaches it. Nothing is changed on the marketplace unless you ask for the stock below.</source>
        <translation>Đọc mọi sản phẩm đang bán của %1 trên sàn và liên kết từng sản phẩm với sản phẩm cùng mã SKU trong ứng dụng, để tồn kho của ứng dụng được cập nhật lên sàn. Không có gì thay đổi trên sàn, trừ khi bạn chọn gửi tồn kho bên dưới.</translation>
    </message>
    <message>
        <source>Create products for listings whose SKUs are not in the app yet</source>
        <translation>Tạo sản phẩm cho các sản phẩm trên sàn có mã SKU chưa có trong ứng dụng</translation>
    </message>
    <message>
        <source>Send the app&apos;s stock to the linked listings</source>
        <translation>Gửi tồn kho của ứng dụng lên các sản phẩm đã liên kết</translation>
    </message>
    <message>
        <source>The app&apos;s stock replaces the stock on the marketplace. Leave it off until your stock in the app is right; a product created here starts with the marketplace&apos;s stock.</source>
        <translation>Tồn kho của ứng dụng sẽ thay cho tồn kho trên sàn. Hãy để tắt cho đến khi tồn kho trong ứng dụng đã đúng; sản phẩm được tạo ở đây lấy tồn kho ban đầu từ sàn.</translation>
    </message>
    <message>
        <source>&amp;Fetch again</source>
        <translation>&amp;Lấy lại</translation>
    </message>
    <message>
        <source>&amp;Fetch</source>
        <translation>&amp;Lấy</translation>
    </message>
    <message>
        <source>Item ID</source>
        <translation>Mã sản phẩm trên sàn</translation>
    </message>
    <message>
        <source>Listing</source>
        <translation>Sản phẩm trên sàn</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Why not linked</source>
        <translation>Lý do chưa liên kết</translation>
    </message>
    <message>
        <source>Reading the listings of %1…</source>
        <translation>Đang đọc sản phẩm đang bán của %1…</translation>
    </message>
    <message>
        <source>Stock updates queued for the marketplace: %1</source>
        <translation>Cập nhật tồn kho đang chờ gửi lên sàn: %1</translation>
    </message>
    <message>
        <source>Listings not linked (fix their SKUs in Seller Center or in the app, then fetch again):</source>
        <translation>Sản phẩm chưa liên kết (sửa mã SKU trong Kênh Người Bán hoặc trong ứng dụng, rồi lấy lại):</translation>
    </message>
</context>
<context>
    <name>FirstStepsCard</name>
    <message>
        <source>Getting started</source>
        <extracomment>The steps in order: the FirstSteps field each one reads. The marketplace step&apos;s other way (no app ID and key): import a Seller Center export. A step&apos;s button was clicked: its key (one of STEPS).</extracomment>
        <translation>Bắt đầu</translation>
    </message>
    <message>
        <source>Four steps to your first sale:</source>
        <translation>Bốn bước đến đơn hàng đầu tiên:</translation>
    </message>
    <message>
        <source>Add the shop&apos;s address and phone for its receipts</source>
        <translation>Thêm địa chỉ và số điện thoại cửa hàng để in trên hóa đơn</translation>
    </message>
    <message>
        <source>Open Shop details</source>
        <translation>Mở Thông tin cửa hàng</translation>
    </message>
    <message>
        <source>Add your products, or import them from a file</source>
        <translation>Thêm sản phẩm, hoặc nhập từ tệp</translation>
    </message>
    <message>
        <source>Open Products</source>
        <translation>Mở Sản phẩm</translation>
    </message>
    <message>
        <source>Connect your Shopee, Lazada, Tiki or TikTok Shop shop</source>
        <translation>Kết nối gian hàng Shopee, Lazada, Tiki hoặc TikTok Shop</translation>
    </message>
    <message>
        <source>Open Sales channels</source>
        <translation>Mở Kênh bán hàng</translation>
    </message>
    <message>
        <source>Make your first sale (or import your orders)</source>
        <translation>Tạo đơn hàng đầu tiên (hoặc nhập đơn hàng từ tệp)</translation>
    </message>
    <message>
        <source>New order</source>
        <translation>Đơn hàng mới</translation>
    </message>
    <message>
        <source>Connecting needs your app&apos;s ID and key from the marketplace&apos;s open platform (e.g. Shopee Open Platform), or ask your software provider. Without them, import the orders you export from Seller Center.</source>
        <translation>Để kết nối cần ID và khóa ứng dụng từ nền tảng mở của sàn (ví dụ Shopee Open Platform), hoặc hỏi đơn vị cung cấp phần mềm. Nếu không có, hãy nhập các đơn hàng bạn xuất từ Seller Center.</translation>
    </message>
    <message>
        <source>Import orders from a file</source>
        <translation>Nhập đơn hàng từ tệp</translation>
    </message>
</context>
<context>
    <name>GoodsReceiptDialog</name>
    <message>
        <source>New supplier: added when the receipt is saved</source>
        <translation>Nhà cung cấp mới: sẽ được thêm khi lưu phiếu</translation>
    </message>
    <message>
        <source>Paid in advance: %1</source>
        <translation>Đã trả trước: %1</translation>
    </message>
    <message>
        <source>There is no supplier %1</source>
        <extracomment>The receipts&apos; search keeps this much, whatever the buttons beside it take. A list&apos;s supplier column at its narrowest in a narrow window (~20 letters whole). A quantity above what the purchase order still awaits (saved all the same). The draft&apos;s columns; quantity and unit cost are typed in place. The payment&apos;s &quot;Not paid yet&quot; choice: nothing paid with the delivery, all of it owed. ui.ini: how a supplier was last paid with a receipt on this PC (preselected next time). The payment method left unchosen at Save. The unit cost typed (None = not given); `cost_text` keeps what was typed. The cost was filled in (the last one charged), not typed: a cost that comes with the order or a delivery list replaces it. A receipt started without an order offers the supplier&apos;s open orders to receive. The open purchase orders of the supplier typed (offered in `order_choice`). {variant id: unit cost} the order expected: a line with no cost given costs that once saved (`receive_goods`), so it shows it. {variant id: units} the order still awaits: a line above it is pointed out (the supplier sent too many, or a count was typed twice), not refused. The lines as they were before the order chosen in `order_choice` added its own (None: none chosen), and as they were once it had: leaving the order puts the first back, asking (`order_box`) when they no longer are the second. The supplier typed, as last looked up: (text, the supplier or None). The amount paid was typed (it no longer follows the cost). Units a scan or a pick adds: &quot;20*&quot; typed before the code makes it 20. Asks whether to pay cash the drawer does not hold (see `_drawer_read`). Asks whether to close and lose the lines (Esc, Cancel) — see `reject`.</extracomment>
        <translation>Không có nhà cung cấp %1</translation>
    </message>
    <message>
        <source>Did you mean %1? As typed, a new supplier will be added.</source>
        <translation>Có phải ý bạn là %1? Nếu giữ nguyên tên đã gõ, một nhà cung cấp mới sẽ được thêm.</translation>
    </message>
    <message>
        <source>%1 is archived: restore it on the Suppliers page first</source>
        <translation>%1 đã được lưu trữ: hãy khôi phục ở trang Nhà cung cấp trước</translation>
    </message>
    <message>
        <source>Owed now: %1</source>
        <translation>Đang nợ: %1</translation>
    </message>
    <message>
        <source>Receive the goods of %1</source>
        <extracomment>The supplier&apos;s open purchase orders, to receive against (shown when it has some). The purchase order the goods were ordered with (shown when there is one).</extracomment>
        <translation>Nhập hàng của %1</translation>
    </message>
    <message>
        <source>New goods receipt</source>
        <translation>Phiếu nhập hàng mới</translation>
    </message>
    <message>
        <source>&amp;Supplier</source>
        <translation>&amp;Nhà cung cấp</translation>
    </message>
    <message>
        <source>&amp;Note</source>
        <translation>&amp;Ghi chú</translation>
    </message>
    <message>
        <source>Against &amp;order</source>
        <translation>Theo đơn đặt &amp;hàng</translation>
    </message>
    <message>
        <source>The supplier&apos;s purchase orders still awaiting goods: receive this delivery against one (its lines added, what came counted on the order)</source>
        <translation>Các đơn đặt hàng của nhà cung cấp này còn chờ hàng về: nhập lần giao này theo một đơn (thêm các dòng của đơn, số đã về được tính vào đơn)</translation>
    </message>
    <message>
        <source>optional: who delivered</source>
        <translation>không bắt buộc: ai giao hàng</translation>
    </message>
    <message>
        <source>optional: delivery note number…</source>
        <translation>không bắt buộc: số phiếu giao hàng…</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>Có thể bán</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>Số lượng</translation>
    </message>
    <message>
        <source>Unit cost</source>
        <translation>Giá nhập</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Thành tiền</translation>
    </message>
    <message>
        <source>Remove line</source>
        <translation>Xóa dòng</translation>
    </message>
    <message>
        <source>Import lines…</source>
        <translation>Nhập dòng từ tệp…</translation>
    </message>
    <message>
        <source>Add the lines of a supplier&apos;s list (.xlsx or .csv with the columns sku, quantity and, optionally, unit_cost)</source>
        <translation>Thêm các dòng từ danh sách của nhà cung cấp (.xlsx hoặc .csv có các cột sku, quantity và, nếu có, unit_cost)</translation>
    </message>
    <message>
        <source>&amp;Paid to supplier</source>
        <translation>Đã &amp;trả nhà cung cấp</translation>
    </message>
    <message>
        <source>Print barcode labels after saving</source>
        <translation>In tem mã vạch sau khi lưu</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Receive the goods (Ctrl+S)</source>
        <translation>Nhập hàng vào kho (Ctrl+S)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Type 1 to %1 before the *.</source>
        <translation>Gõ số từ 1 đến %1 trước dấu *.</translation>
    </message>
    <message>
        <source>No product matches “%1”</source>
        <translation>Không có sản phẩm nào khớp “%1”</translation>
    </message>
    <message>
        <source>%1 available</source>
        <translation>có thể bán %1</translation>
    </message>
    <message>
        <source>A receipt takes at most %1 lines.</source>
        <translation>Một phiếu nhập có tối đa %1 dòng.</translation>
    </message>
    <message>
        <source>SKU %1: %2 in all is more than %3. Nothing was added.</source>
        <translation>SKU %1: tổng %2 vượt quá %3. Chưa thêm dòng nào.</translation>
    </message>
    <message>
        <source>SKU %1 is on the receipt already and comes again with a unit cost on one only: give it on both or on neither. Nothing was added.</source>
        <translation>SKU %1 đã có trên phiếu và lại xuất hiện với giá nhập chỉ ở một bên: hãy ghi giá ở cả hai hoặc không ghi ở bên nào. Chưa thêm dòng nào.</translation>
    </message>
    <message>
        <source>SKU %1 is on the receipt already at a unit cost of %2 and comes again at %3: give one. Nothing was added.</source>
        <translation>SKU %1 đã có trên phiếu với giá nhập %2 và lại xuất hiện với giá %3: hãy ghi một giá. Chưa thêm dòng nào.</translation>
    </message>
    <message>
        <source>No purchase order awaits goods from this supplier</source>
        <translation>Nhà cung cấp này không có đơn đặt hàng nào đang chờ hàng về</translation>
    </message>
    <message>
        <source>Not against an order</source>
        <translation>Không theo đơn đặt hàng</translation>
    </message>
    <message>
        <source>%1 · %2 units to come</source>
        <translation>%1 · còn chờ %2 sản phẩm</translation>
    </message>
    <message>
        <source>expected %1</source>
        <translation>hẹn giao %1</translation>
    </message>
    <message>
        <source>Take the lines of %1 off the receipt? What you changed on them is lost.</source>
        <translation>Bỏ các dòng của %1 khỏi phiếu? Những gì bạn đã sửa trên các dòng đó sẽ mất.</translation>
    </message>
    <message>
        <source>%1 was not chosen: %2</source>
        <translation>Chưa chọn được %1: %2</translation>
    </message>
    <message>
        <source>Import the lines of a delivery</source>
        <translation>Nhập các dòng của một lần giao hàng</translation>
    </message>
    <message>
        <source>Spreadsheets (*.xlsx *.csv *.txt)</source>
        <translation>Bảng tính (*.xlsx *.csv *.txt)</translation>
    </message>
    <message>
        <source>Reading the delivery list</source>
        <translation>Đang đọc danh sách giao hàng</translation>
    </message>
    <message>
        <source>Scan the product first, then type 20* and Enter to make it 20.</source>
        <translation>Quét sản phẩm trước, rồi gõ 20* và Enter để đặt số lượng 20.</translation>
    </message>
    <message>
        <source>%1 still awaits %2 of it: %3 more than that came.</source>
        <translation>%1 chỉ còn chờ %2 mặt hàng này: hàng về dư %3.</translation>
    </message>
    <message>
        <source>%1 more than %2 still awaits</source>
        <translation>dư %1 so với số %2 còn chờ</translation>
    </message>
    <message>
        <source>Scan or search the products that came in.</source>
        <translation>Quét hoặc tìm các sản phẩm vừa nhập về.</translation>
    </message>
    <message>
        <source>Line %1: the quantity must be 1 to %2.</source>
        <translation>Dòng %1: số lượng phải từ 1 đến %2.</translation>
    </message>
    <message>
        <source>Line %1: type the unit cost as an amount of money, e.g. 45.000.</source>
        <translation>Dòng %1: giá nhập không hợp lệ, ví dụ 45.000.</translation>
    </message>
    <message>
        <source>Choose how the supplier was paid (cash from the drawer, bank transfer…), or Not paid yet.</source>
        <translation>Chọn cách trả nhà cung cấp (tiền mặt từ két, chuyển khoản…), hoặc Chưa trả.</translation>
    </message>
    <message>
        <source>The drawer holds about %1 today; paying %2 in cash takes it below zero. Pay by transfer or another way?</source>
        <translation>Két hiện có khoảng %1 hôm nay; trả %2 tiền mặt sẽ làm két bị âm. Trả bằng chuyển khoản hoặc cách khác?</translation>
    </message>
    <message>
        <source>Pay in cash anyway</source>
        <translation>Vẫn trả tiền mặt</translation>
    </message>
    <message>
        <source>Choose another way</source>
        <translation>Chọn cách khác</translation>
    </message>
    <message>
        <source>Discard what you typed on this receipt?</source>
        <translation>Bỏ những gì đã nhập trên phiếu nhập hàng này?</translation>
    </message>
    <message>
        <source>Discard this receipt&apos;s %n line?</source>
        <translation>Bỏ %n dòng của phiếu nhập hàng này?</translation>
    </message>
    <message>
        <source>Discard this receipt&apos;s %n lines?</source>
        <translation>Bỏ %n dòng của phiếu nhập hàng này?</translation>
    </message>
    <message>
        <source>Type the amount paid to the supplier as an amount of money, e.g. 45.000.</source>
        <translation>Nhập số tiền đã trả nhà cung cấp dưới dạng số tiền, ví dụ 45.000.</translation>
    </message>
    <message>
        <source>Against purchase order %1: the lines are what is still to come. Lower what came short; remove a line that did not come at all.</source>
        <translation>Theo đơn đặt hàng %1: các dòng là hàng còn chờ về. Giảm số lượng hàng về thiếu; xóa dòng hàng không về.</translation>
    </message>
    <message>
        <source>Scan a barcode, or type a SKU or product name and press Enter (20* before it: 20 units)</source>
        <translation>Quét mã vạch, hoặc gõ SKU hay tên sản phẩm rồi nhấn Enter (gõ 20* phía trước: 20 sản phẩm)</translation>
    </message>
    <message>
        <source>Paid to the supplier with this delivery (the whole cost unless you type less): the rest is owed to it (Products → Suppliers). Without a supplier nothing is paid.</source>
        <translation>Số tiền đã trả nhà cung cấp cho lần giao này (toàn bộ tiền hàng nếu bạn không nhập ít hơn): phần còn lại là nợ nhà cung cấp (Sản phẩm → Nhà cung cấp). Không có nhà cung cấp thì không ghi nhận tiền đã trả.</translation>
    </message>
    <message>
        <source>How the supplier was paid: cash from the drawer comes off End of day&apos;s cash; Not paid yet leaves it all owed to the supplier</source>
        <translation>Cách trả nhà cung cấp: tiền mặt lấy từ két sẽ trừ vào tiền mặt cuối ngày; Chưa trả thì ghi nợ toàn bộ cho nhà cung cấp</translation>
    </message>
    <message>
        <source>Cash from the drawer</source>
        <translation>Tiền mặt (lấy từ két)</translation>
    </message>
    <message>
        <source>Not paid yet (owe it)</source>
        <translation>Chưa trả (ghi nợ)</translation>
    </message>
    <message>
        <source>How was it paid?</source>
        <translation>Trả bằng gì?</translation>
    </message>
    <message>
        <source>The amount paid to the supplier must be 0 to the receipt&apos;s cost (%1).</source>
        <translation>Số tiền trả nhà cung cấp phải từ 0 đến tổng tiền hàng của phiếu (%1).</translation>
    </message>
    <message>
        <source>%n line</source>
        <translation>%n dòng</translation>
    </message>
    <message>
        <source>%n lines</source>
        <translation>%n dòng</translation>
    </message>
    <message>
        <source>%n unit</source>
        <translation>%n sản phẩm</translation>
    </message>
    <message>
        <source>%n units</source>
        <translation>%n sản phẩm</translation>
    </message>
    <message>
        <source>cost %1</source>
        <translation>giá nhập %1</translation>
    </message>
    <message>
        <source>Owed: %1</source>
        <translation>Còn nợ: %1</translation>
    </message>
    <message>
        <source>Receiving goods</source>
        <translation>Nhập hàng</translation>
    </message>
</context>
<context>
    <name>GoodsReceiptsPage</name>
    <message>
        <source>Search by code, supplier, note or SKU</source>
        <translation>Tìm theo mã phiếu, nhà cung cấp, ghi chú, SKU</translation>
    </message>
    <message>
        <source>Print labels</source>
        <translation>In tem mã vạch</translation>
    </message>
    <message>
        <source>Print barcode labels for the selected receipt&apos;s goods</source>
        <translation>In tem mã vạch cho hàng của phiếu đang chọn</translation>
    </message>
    <message>
        <source>New goods receipt</source>
        <translation>Phiếu nhập hàng mới</translation>
    </message>
    <message>
        <source>Return to supplier…</source>
        <translation>Trả hàng nhà cung cấp…</translation>
    </message>
    <message>
        <source>Send goods of the selected receipt back to the supplier (faulty, wrong, too many): they leave stock and the shop owes the supplier less</source>
        <translation>Trả hàng của phiếu đang chọn cho nhà cung cấp (lỗi, sai, thừa): hàng ra khỏi kho và cửa hàng nợ nhà cung cấp ít hơn</translation>
    </message>
    <message>
        <source>Cancel the selected receipt (entered by mistake): its goods are taken back out of stock</source>
        <translation>Hủy phiếu đang chọn (nhập nhầm): hàng của phiếu được trừ lại khỏi kho</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Xuất Excel</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>In</translation>
    </message>
    <message>
        <source>Print the goods receipt</source>
        <translation>In phiếu nhập kho</translation>
    </message>
    <message>
        <source>Save as PDF…</source>
        <translation>Lưu thành PDF…</translation>
    </message>
    <message>
        <source>The selected receipt as a document to sign (on the invoice&apos;s printer and paper)</source>
        <translation>Phiếu đang chọn thành chứng từ để ký (trên máy in và khổ giấy của hóa đơn chi tiết)</translation>
    </message>
    <message>
        <source>Export the lines of the receipts listed (every one that matches the search) to Excel</source>
        <translation>Xuất các dòng của những phiếu nhập đang liệt kê (mọi phiếu khớp tìm kiếm) ra Excel</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Mã phiếu</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Ngày nhập</translation>
    </message>
    <message>
        <source>Supplier</source>
        <translation>Nhà cung cấp</translation>
    </message>
    <message>
        <source>PO</source>
        <translation>Theo đơn</translation>
    </message>
    <message>
        <source>Lines</source>
        <translation>Số dòng</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>Số lượng</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>Giá vốn</translation>
    </message>
    <message>
        <source>Received by</source>
        <translation>Người nhập</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>Đã trả</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>Số lượng</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>Đã trả lại</translation>
    </message>
    <message>
        <source>Unit cost</source>
        <translation>Giá nhập</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Thành tiền</translation>
    </message>
    <message>
        <source>%n receipt</source>
        <translation>%n phiếu</translation>
    </message>
    <message>
        <source>%n receipts</source>
        <translation>%n phiếu</translation>
    </message>
    <message>
        <source>the newest %1</source>
        <translation>%1 mới nhất</translation>
    </message>
    <message>
        <source>Cancel the receipt (cancel its returns first)…</source>
        <translation>Hủy phiếu nhập (hủy các phiếu trả hàng trước)…</translation>
    </message>
    <message>
        <source>Cancel the receipt (the owner or a manager: its payment is cancelled with it)…</source>
        <translation>Hủy phiếu (chủ cửa hàng hoặc quản lý: khoản đã trả sẽ bị hủy theo)…</translation>
    </message>
    <message>
        <source>Cancel the receipt…</source>
        <translation>Hủy phiếu nhập…</translation>
    </message>
    <message>
        <source>Cancelled %1: %2</source>
        <translation>Đã hủy %1: %2</translation>
    </message>
    <message>
        <source>Cancel the return %1 (%2 back)…</source>
        <translation>Hủy phiếu trả hàng %1 (trả %2)…</translation>
    </message>
    <message>
        <source>Print the return %1 (goods sent back)</source>
        <translation>In phiếu trả hàng %1</translation>
    </message>
    <message>
        <source>No goods receipts match the search.</source>
        <extracomment>Print labels for these variants (variant id → copies). A receipt was saved, cancelled or goods of it went back to the supplier: stock and what is owed to suppliers changed (the products list and Suppliers page refresh). Open this purchase order (its id and code) on the Purchase orders page: its cell clicked, or Enter on a receipt made against one. The selected receipt&apos;s returns to the supplier (loaded with its lines). What the selected receipt&apos;s supplier is owed now (read with its lines when the receipt left some unpaid; None otherwise). The receipt to select once the list is read again (None: the newest). The search of the last read (what a read for a change made elsewhere runs). What was done last (printed, a return recorded …), on a line of its own under the buttons; worded again in a new language (`_status_of`). One &quot;Cancel the return TH…&quot; a standing return of the selected receipt. One &quot;Print return TH…&quot; a return of the selected receipt (rebuilt with its lines). The list was read once: before, an empty table is no news (no hint).</extracomment>
        <translation>Không có phiếu nhập nào khớp với tìm kiếm.</translation>
    </message>
    <message>
        <source>No goods receipts yet: when a delivery comes in, record it with New goods receipt; its goods go into stock at their cost.</source>
        <translation>Chưa có phiếu nhập hàng: khi hàng về, ghi lại bằng nút Phiếu nhập hàng mới; hàng được cộng vào tồn kho theo giá nhập.</translation>
    </message>
    <message>
        <source>Open %1 (click, or Enter on the receipt)</source>
        <translation>Mở %1 (bấm vào, hoặc nhấn Enter trên phiếu)</translation>
    </message>
    <message>
        <source>%1 unpaid at delivery</source>
        <translation>%1 chưa trả khi nhập</translation>
    </message>
    <message>
        <source>Paid to the supplier in advance now: %1</source>
        <translation>Hiện đã trả trước nhà cung cấp: %1</translation>
    </message>
    <message>
        <source>Owed to the supplier now: %1</source>
        <translation>Hiện còn nợ nhà cung cấp: %1</translation>
    </message>
    <message>
        <source>Cancel the return %1 (%2 back; the owner or a manager: money came back with it)…</source>
        <translation>Hủy phiếu trả %1 (trả lại %2; chủ cửa hàng hoặc quản lý: có tiền hoàn lại kèm theo)…</translation>
    </message>
    <message>
        <source>Money came back with %1: only the owner or a manager may cancel it.</source>
        <translation>%1 có tiền nhà cung cấp hoàn lại: chỉ chủ cửa hàng hoặc quản lý được hủy.</translation>
    </message>
    <message>
        <source>Its goods come back into stock and it no longer counts in what is owed to the supplier. Why is it cancelled?</source>
        <translation>Hàng của phiếu sẽ được nhập lại kho và phiếu không còn tính vào công nợ nhà cung cấp. Vì sao hủy phiếu?</translation>
    </message>
    <message>
        <source>Cancelling the return</source>
        <translation>Đang hủy phiếu trả hàng</translation>
    </message>
    <message>
        <source>%1 cancelled: its goods are back in stock</source>
        <translation>Đã hủy %1: hàng đã được nhập lại kho</translation>
    </message>
    <message>
        <source>Printing the return</source>
        <translation>Đang in phiếu trả hàng</translation>
    </message>
    <message>
        <source>%n return</source>
        <translation>%n phiếu trả hàng</translation>
    </message>
    <message>
        <source>%n returns</source>
        <translation>%n phiếu trả hàng</translation>
    </message>
    <message>
        <source>%1 (%2): %3 back, %4 of it refunded</source>
        <translation>%1 (%2): trả lại %3, trong đó được hoàn tiền %4</translation>
    </message>
    <message>
        <source>%1 (%2): %3 back</source>
        <translation>%1 (%2): trả lại %3</translation>
    </message>
    <message>
        <source>Lines of %1</source>
        <translation>Chi tiết phiếu %1</translation>
    </message>
    <message>
        <source>against %1</source>
        <translation>theo đơn %1</translation>
    </message>
    <message>
        <source>%1 recorded: %2 back to the supplier</source>
        <translation>Đã ghi %1: trả lại nhà cung cấp %2</translation>
    </message>
    <message>
        <source>Printing…</source>
        <translation>Đang in…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Printing the goods receipt</source>
        <translation>Đang in phiếu nhập kho</translation>
    </message>
    <message>
        <source>Save the goods receipt as PDF</source>
        <translation>Lưu phiếu nhập kho thành PDF</translation>
    </message>
    <message>
        <source>Printed to %1</source>
        <translation>Đã in ra %1</translation>
    </message>
    <message>
        <source>Export goods receipts</source>
        <translation>Xuất phiếu nhập hàng</translation>
    </message>
    <message>
        <source>Exporting goods receipts</source>
        <translation>Đang xuất phiếu nhập hàng</translation>
    </message>
    <message>
        <source>%n line</source>
        <translation>%n dòng</translation>
    </message>
    <message>
        <source>%n lines</source>
        <translation>%n dòng</translation>
    </message>
    <message>
        <source>Cancel %1</source>
        <translation>Hủy %1</translation>
    </message>
    <message>
        <source>Goods of %1 went back to the supplier: cancel its returns first (Cancel ▾).</source>
        <translation>Hàng của %1 đã được trả nhà cung cấp: hãy hủy các phiếu trả hàng trước (Hủy ▾).</translation>
    </message>
    <message>
        <source>%1 was paid to the supplier with %2: only the owner or a manager may cancel it.</source>
        <translation>Đã trả nhà cung cấp %1 kèm phiếu %2: chỉ chủ cửa hàng hoặc quản lý được hủy.</translation>
    </message>
    <message>
        <source>Its goods will be taken back out of stock, and the %1 paid to the supplier with it is cancelled too: if that money was paid, the supplier owes it back to the shop. Why is it cancelled?</source>
        <translation>Hàng của phiếu sẽ được trừ khỏi tồn kho, và khoản %1 đã trả nhà cung cấp kèm phiếu cũng bị hủy: nếu tiền đã thực sự trả, nhà cung cấp phải hoàn lại cho cửa hàng. Vì sao hủy phiếu?</translation>
    </message>
    <message>
        <source>Its goods will be taken back out of stock. Why is it cancelled?</source>
        <translation>Hàng của phiếu sẽ được trừ lại khỏi kho. Vì sao hủy phiếu?</translation>
    </message>
    <message>
        <source>Cancelling the receipt</source>
        <translation>Đang hủy phiếu nhập</translation>
    </message>
</context>
<context>
    <name>GroupDialog</name>
    <message>
        <source>New SKU group</source>
        <extracomment>The member columns sharing the room the others leave (elided, whole in a tooltip): the table fits the dialog, never scrolling sideways past the prices. Members shown: variant id → (sku, product, options, shops, price, discount).</extracomment>
        <translation>Tạo nhóm SKU</translation>
    </message>
    <message>
        <source>Edit SKU group</source>
        <translation>Sửa nhóm SKU</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Mã nhóm</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Tên nhóm</translation>
    </message>
    <message>
        <source>Low-stock level</source>
        <translation>Ngưỡng sắp hết hàng</translation>
    </message>
    <message>
        <source>e.g. PS-0001</source>
        <translation>Ví dụ: PS-0001</translation>
    </message>
    <message>
        <source>Empty: the shops&apos; default</source>
        <translation>Để trống: dùng ngưỡng mặc định của gian hàng</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>Phân loại</translation>
    </message>
    <message>
        <source>Shops</source>
        <translation>Gian hàng</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Giá bán</translation>
    </message>
    <message>
        <source>Discount price</source>
        <translation>Giá khuyến mãi</translation>
    </message>
    <message>
        <source>Add listings…</source>
        <translation>Thêm SKU…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Bỏ khỏi nhóm</translation>
    </message>
    <message>
        <source>The group holds the physical stock of its listings. A listing added to the group brings its own stock into it; a listing removed from the group leaves with no stock of its own (the goods stay with the group).</source>
        <translation>Nhóm giữ tồn kho thực tế của các SKU trong nhóm. SKU được thêm vào nhóm sẽ mang theo tồn kho của nó; SKU bị bỏ khỏi nhóm sẽ không còn tồn kho riêng (hàng vẫn ở lại với nhóm).</translation>
    </message>
    <message>
        <source>Added: saved with the group</source>
        <translation>Mới thêm: được lưu cùng nhóm</translation>
    </message>
    <message>
        <source>Stock: %1 from the listings added</source>
        <translation>Tồn kho: %1 từ các SKU mới thêm</translation>
    </message>
    <message>
        <source>On hand %1 · reserved %2 · available %3</source>
        <translation>Tồn kho %1 · đang giữ %2 · có thể bán %3</translation>
    </message>
    <message>
        <source>(+%1 from the listings added)</source>
        <translation>(+%1 từ các SKU mới thêm)</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <source>No orders</source>
        <extracomment>To-do cards in order: key → (the Orders tab&apos;s status tab, or &quot;&quot; for products). The marketplace table&apos;s number columns (revenue, change), right-aligned like all money. The keys that open a focused clickable card, as a click does. The tabs Home&apos;s welcome offers to open (a staff member&apos;s Home without figures): key → the module it needs, in the main window&apos;s order. Each channel&apos;s colour on the pie, whichever channels have orders (Shopee stays orange when it is alone), as the demo with every channel shows them. A channel the table above does not know (a newer version&apos;s data). While Home shows, how often it looks whether a marketplace sync ended (a cheap read of the scheduler&apos;s status object, no database). lupdate extracts translate(&quot;Context&quot;, &quot;literal&quot;) calls, not a wrapper&apos;s. (label, orders) of the slices drawn, and their colours.</extracomment>
        <translation>Chưa có đơn hàng</translation>
    </message>
    <message>
        <source>Margin %1</source>
        <extracomment>Where the note and actions go: the title&apos;s line, or a line of their own at the bottom (the note on its left, the actions on its right).</extracomment>
        <translation>Biên LN %1</translation>
    </message>
    <message>
        <source>Gross profit ÷ revenue of the same period</source>
        <translation>Lợi nhuận gộp ÷ doanh thu cùng kỳ</translation>
    </message>
    <message>
        <source>Reading the figures</source>
        <extracomment>Open the Orders tab: (status tab key, OrderFilter). Open the Products list: a ProductFilter. Open the Customers list: a CustomerFilter (the Customers owe card). A refresh finished (tests wait on it). The figures are read again whenever Home shows after it was hidden (FiguresPage): a change made elsewhere meanwhile asks the main window nothing more then. A first step was chosen on the Getting started card (a key of first_steps.STEPS). The welcome (a Home without figures) asks for a tab: its key (one of SHORTCUTS). The backup notice&apos;s link: open Settings → Backup &amp; restore. What the user&apos;s modules let them see (the figures read say it again, for the account as it stands then).</extracomment>
        <translation>Đang tải số liệu</translation>
    </message>
    <message>
        <source>vs previous period: %1</source>
        <translation>so với kỳ trước: %1</translation>
    </message>
    <message>
        <source>%1 of revenue has no cost price (1 product)</source>
        <translation>%1 doanh thu chưa có giá vốn (1 sản phẩm)</translation>
    </message>
    <message>
        <source>%1 of revenue has no cost price (%2 products)</source>
        <translation>%1 doanh thu chưa có giá vốn (%2 sản phẩm)</translation>
    </message>
    <message>
        <source>Lines sold with no cost price count their whole price as gross profit, so it shows too high. Click to see the products with no cost price and give them one: sales from then on count it (orders already made keep theirs).</source>
        <translation>Hàng bán khi chưa có giá vốn được tính cả giá bán vào lợi nhuận gộp, nên con số đang cao hơn thực tế. Bấm để xem các sản phẩm chưa có giá vốn và nhập giá vốn: các đơn bán từ đó trở đi sẽ tính theo giá này (đơn đã bán giữ nguyên).</translation>
    </message>
    <message>
        <source>%1/%2 Shop</source>
        <translation>%1/%2 gian hàng</translation>
    </message>
    <message>
        <source>Not linked yet</source>
        <translation>Chưa liên kết</translation>
    </message>
    <message>
        <source>Nothing yet. Order syncs, imports, goods received, backups, low stock and customer rank changes will show here.</source>
        <translation>Chưa có gì. Đồng bộ đơn hàng, nhập dữ liệu từ tệp, nhập hàng, sao lưu, cảnh báo sắp hết hàng và thay đổi hạng khách hàng sẽ hiện ở đây.</translation>
    </message>
    <message>
        <source>No news yet.</source>
        <translation>Chưa có tin mới.</translation>
    </message>
    <message>
        <source>Customers owe (%1)</source>
        <translation>Khách nợ (%1)</translation>
    </message>
    <message>
        <source>Products with no revenue</source>
        <translation>Sản phẩm chưa có doanh thu</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>Có thể bán</translation>
    </message>
    <message>
        <source>Latest events</source>
        <translation>Hoạt động gần đây</translation>
    </message>
    <message>
        <source>To do</source>
        <translation>Việc cần làm</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Chờ xác nhận</translation>
    </message>
    <message>
        <source>%1 – to pack</source>
        <translation>%1 – chờ đóng gói</translation>
    </message>
    <message>
        <source>Shipping</source>
        <translation>Đang giao</translation>
    </message>
    <message>
        <source>Return/Refund</source>
        <translation>Trả hàng/Hoàn tiền</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Đã hủy</translation>
    </message>
    <message>
        <source>Low on stock</source>
        <translation>Sắp hết hàng</translation>
    </message>
    <message>
        <source>No revenue</source>
        <translation>Sản phẩm chưa bán</translation>
    </message>
    <message>
        <source>Orders waiting for you to confirm them.</source>
        <translation>Đơn đang chờ bạn xác nhận.</translation>
    </message>
    <message>
        <source>Confirmed orders not yet handed to the carrier: to pack.</source>
        <translation>Đơn đã xác nhận, chưa giao cho đơn vị vận chuyển: cần đóng gói.</translation>
    </message>
    <message>
        <source>Orders out for delivery.</source>
        <translation>Đơn đang trên đường giao.</translation>
    </message>
    <message>
        <source>Returns under way: the goods or the refund still to settle.</source>
        <translation>Đơn đang trả hàng/hoàn tiền: chưa nhận lại hàng hoặc chưa hoàn tiền xong.</translation>
    </message>
    <message>
        <source>Orders placed in the dates above that were cancelled.</source>
        <translation>Đơn đặt trong khoảng ngày đã chọn và đã bị hủy.</translation>
    </message>
    <message>
        <source>Products low on stock.</source>
        <translation>Sản phẩm sắp hết hàng.</translation>
    </message>
    <message>
        <source>Active products with no order counted in revenue in the dates above.</source>
        <translation>Sản phẩm đang bán chưa có đơn nào tính vào doanh thu trong khoảng ngày đã chọn.</translation>
    </message>
    <message>
        <source>Waiting now, whatever the dates above.</source>
        <translation>Việc đang chờ lúc này, không phụ thuộc khoảng ngày đã chọn.</translation>
    </message>
    <message>
        <source>What customers owe for sales on account (the whole shop, whatever the dates): click to see who</source>
        <translation>Tiền khách còn nợ từ các đơn ghi nợ (cả cửa hàng, không theo khoảng ngày): bấm để xem khách nào</translation>
    </message>
    <message>
        <source>Total revenue</source>
        <translation>Tổng doanh thu</translation>
    </message>
    <message>
        <source>Gross profit</source>
        <translation>Lợi nhuận gộp</translation>
    </message>
    <message>
        <source>New orders</source>
        <translation>Đơn hàng mới</translation>
    </message>
    <message>
        <source>Marketplace</source>
        <translation>Sàn TMĐT</translation>
    </message>
    <message>
        <source>Revenue</source>
        <translation>Doanh thu</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Thay đổi</translation>
    </message>
    <message>
        <source>Shops connected</source>
        <translation>Gian hàng đã kết nối</translation>
    </message>
    <message>
        <source>See more</source>
        <translation>Xem thêm</translation>
    </message>
    <message>
        <source>Hello, %1</source>
        <translation>Xin chào, %1</translation>
    </message>
    <message>
        <source>Your account has no shop figures to show here.</source>
        <translation>Tài khoản của bạn không có số liệu cửa hàng nào để hiển thị ở đây.</translation>
    </message>
    <message>
        <source>Your work is on the tabs below.</source>
        <translation>Công việc của bạn ở các mục bên dưới.</translation>
    </message>
    <message>
        <source>Ask the shop owner for access to the parts of the shop you work on.</source>
        <translation>Hãy nhờ chủ cửa hàng cấp quyền vào những phần việc bạn phụ trách.</translation>
    </message>
    <message>
        <source>Open Analytics</source>
        <translation>Mở Phân tích</translation>
    </message>
    <message>
        <source>Open Products</source>
        <translation>Mở Sản phẩm</translation>
    </message>
    <message>
        <source>Open Orders</source>
        <translation>Mở Đơn hàng</translation>
    </message>
    <message>
        <source>Open Customers</source>
        <translation>Mở Khách hàng</translation>
    </message>
    <message>
        <source>Open Settings</source>
        <translation>Mở Cài đặt</translation>
    </message>
</context>
<context>
    <name>ImportReportDialog</name>
    <message>
        <source>Import finished</source>
        <extracomment>The widest the Column column grows to fit its text (the rest on hover).</extracomment>
        <translation>Đã nhập xong</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>Dòng</translation>
    </message>
    <message>
        <source>Column</source>
        <translation>Cột</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Lý do</translation>
    </message>
</context>
<context>
    <name>ImportWizard</name>
    <message>
        <source>Import customers</source>
        <extracomment>The wizard&apos;s steps (pages of its stack). Rows of the report table (the whole report is in the saved file). The import finished (the CustomerImportReport): the list should refresh.</extracomment>
        <translation>Nhập khách hàng</translation>
    </message>
    <message>
        <source>Customer list (*.xlsx *.csv *.txt)</source>
        <translation>Danh sách khách hàng (*.xlsx *.csv *.txt)</translation>
    </message>
    <message>
        <source>Reading the file</source>
        <translation>Đang đọc tệp</translation>
    </message>
    <message>
        <source>(not imported)</source>
        <translation>(không nhập)</translation>
    </message>
    <message>
        <source>Choose a file first.</source>
        <translation>Hãy chọn tệp trước.</translation>
    </message>
    <message>
        <source>Choose the column that holds the customer&apos;s name.</source>
        <translation>Hãy chọn cột chứa tên khách hàng.</translation>
    </message>
    <message>
        <source>The file has the column “%1” more than once (columns %2): keep one in the file, or set %3 to “(not imported)”.</source>
        <translation>Tệp có cột “%1” nhiều hơn một lần (cột %2): hãy giữ lại một cột trong tệp, hoặc chọn “(không nhập)” cho %3.</translation>
    </message>
    <message>
        <source>The column “%1” is chosen for both %2 and %3.</source>
        <translation>Cột “%1” đang được chọn cho cả %2 và %3.</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Đang bắt đầu…</translation>
    </message>
    <message>
        <source>Importing customers</source>
        <translation>Đang nhập khách hàng</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Đang hủy…</translation>
    </message>
    <message>
        <source>The import was cancelled: nothing was imported.</source>
        <translation>Đã hủy nhập tệp: không có dữ liệu nào được nhập.</translation>
    </message>
    <message>
        <source>The import failed: nothing was imported.</source>
        <translation>Nhập tệp thất bại: không có dữ liệu nào được nhập.</translation>
    </message>
    <message>
        <source>%1 rows read: %2 new customers, %3 updated, %4 unchanged, %5 skipped, %6 rejected.</source>
        <translation>Đã đọc %1 dòng: %2 khách hàng mới, %3 cập nhật, %4 không đổi, %5 bỏ qua, %6 bị từ chối.</translation>
    </message>
    <message>
        <source>%1 values could not be read and were left out: the rows below name them.</source>
        <translation>%1 giá trị không đọc được nên không được nhập: các dòng bên dưới ghi rõ.</translation>
    </message>
    <message>
        <source>%1 new customer groups created: give them prices in Settings → Customer groups &amp; price levels.</source>
        <translation>Đã tạo %1 nhóm khách hàng mới: đặt giá cho nhóm trong Cài đặt → Nhóm khách hàng &amp; bảng giá.</translation>
    </message>
    <message>
        <source>Imported</source>
        <translation>Đã nhập</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>Đã cập nhật</translation>
    </message>
    <message>
        <source>Unchanged</source>
        <translation>Không đổi</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>Bỏ qua</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Bị từ chối</translation>
    </message>
    <message>
        <source>Save the import report</source>
        <translation>Lưu báo cáo nhập tệp</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx);;CSV UTF-8 (*.csv)</source>
        <translation>Tệp Excel (*.xlsx);;CSV UTF-8 (*.csv)</translation>
    </message>
    <message>
        <source>Report saved to %1.</source>
        <translation>Đã lưu báo cáo vào %1.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Họ tên</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Số điện thoại</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Email</translation>
    </message>
    <message>
        <source>Gender</source>
        <translation>Giới tính</translation>
    </message>
    <message>
        <source>Birthday</source>
        <translation>Ngày sinh</translation>
    </message>
    <message>
        <source>Customer code</source>
        <translation>Mã khách hàng</translation>
    </message>
    <message>
        <source>Zalo ID</source>
        <translation>Zalo ID</translation>
    </message>
    <message>
        <source>Facebook ID</source>
        <translation>Facebook ID</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Nguồn khách</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Địa chỉ</translation>
    </message>
    <message>
        <source>Province</source>
        <translation>Tỉnh / thành</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Thẻ</translation>
    </message>
    <message>
        <source>Customer group</source>
        <translation>Nhóm khách hàng</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>Step 1 of 4: choose the file</source>
        <translation>Bước 1/4: chọn tệp</translation>
    </message>
    <message>
        <source>Step 2 of 4: match the columns</source>
        <translation>Bước 2/4: ghép cột</translation>
    </message>
    <message>
        <source>Step 3 of 4: phones already in use</source>
        <translation>Bước 3/4: số điện thoại đã tồn tại</translation>
    </message>
    <message>
        <source>Step 4 of 4: importing</source>
        <translation>Bước 4/4: nhập dữ liệu</translation>
    </message>
    <message>
        <source>Import finished</source>
        <translation>Đã nhập xong</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Nhập</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Tiếp</translation>
    </message>
    <message>
        <source>Choose an Excel (.xlsx) or CSV file with one customer per row and a header row. Only a name column is required; phones, email, gender, birthday, customer code, Zalo, Facebook, source, address, province, tags (separated by ;) and notes are read when present.</source>
        <translation>Chọn tệp Excel (.xlsx) hoặc CSV có dòng tiêu đề, mỗi dòng là một khách hàng. Chỉ bắt buộc cột tên; số điện thoại, email, giới tính, ngày sinh, mã khách hàng, Zalo, Facebook, nguồn khách, địa chỉ, tỉnh/thành, thẻ (cách nhau bằng dấu ;) và ghi chú sẽ được đọc nếu có.</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Chọn tệp…</translation>
    </message>
    <message>
        <source>Each customer field is read from the column shown. The guess comes from the headers; change it where it is wrong.</source>
        <translation>Mỗi thông tin khách hàng được đọc từ cột đã chọn. Cột được đoán theo dòng tiêu đề; hãy sửa nếu chưa đúng.</translation>
    </message>
    <message>
        <source>The first rows of the file:</source>
        <translation>Các dòng đầu của tệp:</translation>
    </message>
    <message>
        <source>What should a row do when its phone number (or customer code) already belongs to a customer?</source>
        <translation>Xử lý thế nào khi số điện thoại (hoặc mã khách hàng) của một dòng đã thuộc về khách hàng có sẵn?</translation>
    </message>
    <message>
        <source>Skip the row</source>
        <translation>Bỏ qua dòng</translation>
    </message>
    <message>
        <source>The stored customer stays as it is; the report lists the row.</source>
        <translation>Khách hàng có sẵn giữ nguyên; dòng này được ghi trong báo cáo.</translation>
    </message>
    <message>
        <source>Update the existing customer</source>
        <translation>Cập nhật khách hàng có sẵn</translation>
    </message>
    <message>
        <source>Fill in the row&apos;s values and add its phones, tags and address; the stored name is kept and empty cells never erase anything.</source>
        <translation>Điền giá trị của dòng, thêm số điện thoại, thẻ và địa chỉ; giữ nguyên tên đã lưu, ô trống không xóa gì.</translation>
    </message>
    <message>
        <source>Create a new customer anyway</source>
        <translation>Vẫn tạo khách hàng mới</translation>
    </message>
    <message>
        <source>Two customers will share the phone (the duplicate finder can merge them later).</source>
        <translation>Hai khách hàng sẽ dùng chung số điện thoại (có thể gộp sau bằng Tìm khách hàng trùng).</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>Dòng</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Kết quả</translation>
    </message>
    <message>
        <source>Column</source>
        <translation>Cột</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Lý do</translation>
    </message>
    <message>
        <source>Save report…</source>
        <translation>Lưu báo cáo…</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Quay lại</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
</context>
<context>
    <name>JobsIndicator</name>
    <message>
        <source>Cancel</source>
        <extracomment>The horizontal padding of a table cell in style.qss (`QTableView::item`), both sides. The widest a settings form grows: a name, an email or an amount needs no whole screen, and a Save button under a 1,000-pixel field reads as a banner, not as a button. Keys a closed QComboBox moves its current item with (and reports as a pick).</extracomment>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>No background jobs</source>
        <translation>Không có việc đang chạy</translation>
    </message>
    <message numerus="yes">
        <source> (+%n more)</source>
        <translation>
            <numerusform> (+%n tác vụ khác)</numerusform>
        </translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Đang hủy…</translation>
    </message>
</context>
<context>
    <name>LabelsDialog</name>
    <message>
        <source>No printer installed</source>
        <translation>Chưa cài máy in nào</translation>
    </message>
    <message>
        <source>— Choose a printer —</source>
        <extracomment>The preview&apos;s width on screen (pixels): a roll&apos;s row or an A4 sheet scaled to it. The rows whose code cannot be printed (as of the last refresh), and those marked. Copies per variant id when given (a stock in&apos;s items); the other variants get 0.</extracomment>
        <translation>— Chọn máy in —</translation>
    </message>
    <message>
        <source>Print barcode labels</source>
        <translation>In tem mã vạch</translation>
    </message>
    <message>
        <source>1 label each</source>
        <translation>Mỗi mã 1 tem</translation>
    </message>
    <message>
        <source>As many as in stock</source>
        <translation>Bằng số tồn kho</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Variant</source>
        <translation>Phân loại</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Giá</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>Tồn kho</translation>
    </message>
    <message>
        <source>Barcode</source>
        <translation>Mã vạch</translation>
    </message>
    <message>
        <source>Copies</source>
        <translation>Số tem</translation>
    </message>
    <message>
        <source>Label paper</source>
        <translation>Khổ giấy tem</translation>
    </message>
    <message>
        <source>Start at label (on the first sheet)</source>
        <translation>Bắt đầu từ tem số (trên tờ đầu)</translation>
    </message>
    <message>
        <source>Shop name</source>
        <translation>Tên cửa hàng</translation>
    </message>
    <message>
        <source>Printer</source>
        <translation>Máy in</translation>
    </message>
    <message>
        <source>Save as PDF…</source>
        <translation>Lưu thành PDF…</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>In</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Roll, 2 labels across, 35 × 22 mm</source>
        <translation>Cuộn 2 tem, 35 × 22 mm</translation>
    </message>
    <message>
        <source>Roll, 3 labels across, 35 × 22 mm</source>
        <translation>Cuộn 3 tem, 35 × 22 mm</translation>
    </message>
    <message>
        <source>Roll, 1 label across, 50 × 30 mm</source>
        <translation>Cuộn 1 tem, 50 × 30 mm</translation>
    </message>
    <message>
        <source>Roll, 1 label across, 40 × 30 mm</source>
        <translation>Cuộn 1 tem, 40 × 30 mm</translation>
    </message>
    <message>
        <source>A4 sheet, 65 labels of 38 × 21 mm</source>
        <translation>Tờ A4, 65 tem 38 × 21 mm</translation>
    </message>
    <message>
        <source>A4 sheet, 24 labels of 70 × 37 mm</source>
        <translation>Tờ A4, 24 tem 70 × 37 mm</translation>
    </message>
    <message>
        <source>The selected products have no active variants.</source>
        <translation>Các sản phẩm đã chọn không có phân loại nào đang bán.</translation>
    </message>
    <message>
        <source>… and %n more</source>
        <translation>… và %n mã khác</translation>
    </message>
    <message>
        <source>%1 on %2</source>
        <translation>%1 trên %2</translation>
    </message>
    <message>
        <source>%n page</source>
        <translation>%n trang</translation>
    </message>
    <message>
        <source>%n pages</source>
        <translation>%n trang</translation>
    </message>
    <message>
        <source>%n label</source>
        <translation>%n tem</translation>
    </message>
    <message>
        <source>%n labels</source>
        <translation>%n tem</translation>
    </message>
    <message>
        <source>Printing labels…</source>
        <translation>Đang in tem…</translation>
    </message>
    <message>
        <source>Printing labels</source>
        <translation>In tem</translation>
    </message>
    <message>
        <source>Barcode labels</source>
        <translation>Tem mã vạch</translation>
    </message>
    <message>
        <source>Save the labels as PDF</source>
        <translation>Lưu tem thành PDF</translation>
    </message>
    <message>
        <source>PDF document (*.pdf)</source>
        <translation>Tài liệu PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Saving the labels…</source>
        <translation>Đang lưu tem…</translation>
    </message>
    <message>
        <source>Saving labels</source>
        <translation>Lưu tem</translation>
    </message>
    <message>
        <source>%1 printed to %2</source>
        <translation>Đã in %1 ra %2</translation>
    </message>
</context>
<context>
    <name>LanguageSettings</name>
    <message>
        <source>Language</source>
        <translation>Ngôn ngữ</translation>
    </message>
    <message>
        <source>Language of the app</source>
        <translation>Ngôn ngữ của ứng dụng</translation>
    </message>
    <message>
        <source>Exports and imports keep their own header language (Vietnamese or English).</source>
        <translation>Tệp xuất và nhập giữ ngôn ngữ tiêu đề cột riêng (tiếng Việt hoặc tiếng Anh).</translation>
    </message>
</context>
<context>
    <name>LevelPickDialog</name>
    <message>
        <source>Put in a customer group</source>
        <translation>Chuyển vào nhóm khách hàng</translation>
    </message>
    <message>
        <source>Put the %1 chosen customers in the group:</source>
        <translation>Chuyển %1 khách hàng đã chọn vào nhóm:</translation>
    </message>
    <message>
        <source>No group</source>
        <translation>Không thuộc nhóm nào</translation>
    </message>
    <message>
        <source>They keep this group: the automatic upgrade by purchases leaves them alone until “Skip automatic update” is unticked on their Rank tab.</source>
        <translation>Khách sẽ giữ nhóm này: việc tự động nâng nhóm theo chi tiêu sẽ bỏ qua họ cho đến khi bỏ chọn “Không tự động cập nhật” ở thẻ Hạng của khách.</translation>
    </message>
</context>
<context>
    <name>LevelsSettings</name>
    <message>
        <source>Customer groups &amp; price levels</source>
        <translation>Nhóm khách hàng &amp; bảng giá</translation>
    </message>
    <message>
        <source>Customer group: decides the price list a customer buys at. It is not the rank, which is automatic, by what the customer spends (Customer ranking).</source>
        <translation>Nhóm khách hàng: quyết định bảng giá khách được mua. Nhóm khác với hạng — hạng tự động theo chi tiêu của khách (Xếp hạng khách hàng).</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Tên nhóm</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Mã nhóm</translation>
    </message>
    <message>
        <source>Automatic upgrade from</source>
        <translation>Tự động lên nhóm từ</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Thành viên</translation>
    </message>
    <message>
        <source>Prices</source>
        <translation>Bảng giá</translation>
    </message>
    <message>
        <source>Name, e.g. VIP</source>
        <translation>Tên, ví dụ VIP</translation>
    </message>
    <message>
        <source>Customers who have spent this much in all are moved up to the level by the nightly recompute; — = given by hand only.</source>
        <translation>Khách hàng có tổng chi tiêu đạt mức này sẽ được chuyển lên nhóm khi tính lại hằng đêm; — = chỉ gán thủ công.</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Thêm</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Xóa…</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>List price</source>
        <translation>Giá niêm yết</translation>
    </message>
    <message>
        <source>Level price</source>
        <translation>Giá theo nhóm</translation>
    </message>
    <message>
        <source>SKU or product name</source>
        <translation>SKU hoặc tên sản phẩm</translation>
    </message>
    <message>
        <source>Set price</source>
        <translation>Đặt giá</translation>
    </message>
    <message>
        <source>Remove price</source>
        <translation>Xóa giá</translation>
    </message>
    <message>
        <source>Prices of %1</source>
        <translation>Bảng giá của %1</translation>
    </message>
    <message>
        <source>Choose a level to see its prices</source>
        <translation>Chọn một nhóm để xem bảng giá</translation>
    </message>
    <message>
        <source>Saving the level</source>
        <translation>Đang lưu nhóm</translation>
    </message>
    <message>
        <source>Level saved.</source>
        <translation>Đã lưu nhóm.</translation>
    </message>
    <message>
        <source>Delete the level %1? Its %2 members fall back to no level and its prices are removed.</source>
        <translation>Xóa nhóm %1? %2 thành viên của nhóm sẽ không còn thuộc nhóm nào và bảng giá của nhóm bị xóa.</translation>
    </message>
    <message>
        <source>Vouchers %1 are only for this group: they will be switched off.</source>
        <translation>Mã giảm giá %1 chỉ dành cho nhóm này: các mã này sẽ bị tắt.</translation>
    </message>
    <message>
        <source>Delete level</source>
        <translation>Xóa nhóm</translation>
    </message>
    <message>
        <source>Deleting the level</source>
        <translation>Đang xóa nhóm</translation>
    </message>
    <message>
        <source>Level deleted; %1 customers now have no level.</source>
        <translation>Đã xóa nhóm; %1 khách hàng không còn thuộc nhóm nào.</translation>
    </message>
    <message>
        <source>Saving the level price</source>
        <translation>Đang lưu giá theo nhóm</translation>
    </message>
    <message>
        <source>Price removed.</source>
        <translation>Đã xóa giá.</translation>
    </message>
    <message>
        <source>Price saved.</source>
        <translation>Đã lưu giá.</translation>
    </message>
    <message>
        <source>Cannot read “%1” as an amount: type e.g. 250000, 250k or 1,5tr.</source>
        <translation>Không đọc được “%1” thành số tiền: gõ ví dụ 250000, 250k hoặc 1,5tr.</translation>
    </message>
    <message>
        <source>Save this price anyway?</source>
        <translation>Vẫn lưu giá này?</translation>
    </message>
</context>
<context>
    <name>ListingPicker</name>
    <message>
        <source>Add listings to the group</source>
        <translation>Thêm SKU vào nhóm</translation>
    </message>
    <message>
        <source>Search any shop by product name, SKU or barcode</source>
        <translation>Tìm trên mọi gian hàng theo tên sản phẩm, SKU hoặc mã vạch</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>Phân loại</translation>
    </message>
    <message>
        <source>Shops</source>
        <translation>Gian hàng</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Giá bán</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>Tồn kho</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Nhóm SKU</translation>
    </message>
    <message>
        <source>Add ticked</source>
        <translation>Thêm mục đã chọn</translation>
    </message>
    <message>
        <source>A listing belongs to one group at most: listings of another group are shown greyed. Added listings bring their stock into the group.</source>
        <translation>Mỗi SKU chỉ thuộc tối đa một nhóm: SKU đã thuộc nhóm khác được hiển thị mờ. SKU được thêm sẽ mang theo tồn kho của nó vào nhóm.</translation>
    </message>
    <message>
        <source>in this group</source>
        <translation>trong nhóm này</translation>
    </message>
</context>
<context>
    <name>LockDialog</name>
    <message>
        <source>Locked</source>
        <extracomment>Events that count as the user being there.</extracomment>
        <translation>Đã khóa</translation>
    </message>
    <message>
        <source>Prime Distribution is locked. %s, type your password to go on.</source>
        <translation>Prime Distribution đang khóa. %s, hãy nhập mật khẩu để tiếp tục.</translation>
    </message>
    <message>
        <source>Switch user</source>
        <translation>Đổi người dùng</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>Mở khóa</translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <source>Sign in</source>
        <extracomment>When the backup just restored was taken (its accounts and passwords are back).</extracomment>
        <translation>Đăng nhập</translation>
    </message>
    <message>
        <source>Sign in with your email and password.</source>
        <translation>Đăng nhập bằng email và mật khẩu của bạn.</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Email</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Mật khẩu</translation>
    </message>
    <message>
        <source>Forgot your password?</source>
        <translation>Quên mật khẩu?</translation>
    </message>
    <message>
        <source>Restored the backup of %1: sign in with the email and password you had then.</source>
        <translation>Đã khôi phục bản sao lưu lúc %1: hãy đăng nhập bằng email và mật khẩu bạn dùng khi đó.</translation>
    </message>
</context>
<context>
    <name>LogisticsSettings</name>
    <message>
        <source>Active</source>
        <extracomment>The account whose token the form updates (None: the form adds one).</extracomment>
        <translation>Đang dùng</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>Token</translation>
    </message>
    <message>
        <source>API account</source>
        <translation>Tài khoản API</translation>
    </message>
    <message>
        <source>ShopId</source>
        <translation>ShopId</translation>
    </message>
    <message>
        <source>Customer code</source>
        <translation>Mã khách hàng</translation>
    </message>
    <message>
        <source>The account works and is saved.</source>
        <translation>Tài khoản hoạt động tốt và đã được lưu.</translation>
    </message>
    <message>
        <source>The new token works and is saved.</source>
        <translation>Token mới hoạt động tốt và đã được lưu.</translation>
    </message>
    <message>
        <source>%s was removed.</source>
        <translation>Đã xóa %s.</translation>
    </message>
    <message numerus="yes">
        <source>Address lists refreshed: %n province(s).</source>
        <translation>
            <numerusform>Đã cập nhật danh sách địa chỉ: %n tỉnh/thành.</numerusform>
        </translation>
    </message>
    <message>
        <source>Logistics</source>
        <translation>Vận chuyển</translation>
    </message>
    <message>
        <source>Counter, phone and chat orders ship with the shop&apos;s own carrier account. Marketplace orders ship with the marketplace&apos;s logistics.</source>
        <translation>Đơn bán tại quầy, qua điện thoại và chat được giao bằng tài khoản vận chuyển của cửa hàng. Đơn trên sàn được giao bằng đơn vị vận chuyển của sàn.</translation>
    </message>
    <message>
        <source>Carrier</source>
        <translation>Đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Tên</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Shipments</source>
        <translation>Vận đơn</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Xóa</translation>
    </message>
    <message>
        <source>Refresh address lists</source>
        <translation>Cập nhật danh sách địa chỉ</translation>
    </message>
    <message>
        <source>Update token…</source>
        <translation>Cập nhật token…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Add a delivery provider</source>
        <translation>Thêm đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>Update the token of %s</source>
        <translation>Cập nhật token của %s</translation>
    </message>
    <message>
        <source>Check and save</source>
        <translation>Kiểm tra và lưu</translation>
    </message>
    <message>
        <source>Private key</source>
        <translation>Khóa bí mật</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Mật khẩu</translation>
    </message>
    <message>
        <source>API host (optional)</source>
        <translation>Máy chủ API (không bắt buộc)</translation>
    </message>
    <message>
        <source>Check and add</source>
        <translation>Kiểm tra và thêm</translation>
    </message>
</context>
<context>
    <name>LowStockSettings</name>
    <message>
        <source>Low stock</source>
        <extracomment>The shops&apos; levels changed (after Apply or Reset).</extracomment>
        <translation>Sắp hết hàng</translation>
    </message>
    <message>
        <source>A product variant is low on stock when its available quantity (on hand minus what open orders hold) is at or below its level. The level is the variant&apos;s own, if it has one (set in the product editor); else its SKU group&apos;s; else the highest default of the shops the product is listed on. A variant with no level is never low.</source>
        <translation>Một phân loại sản phẩm được coi là sắp hết hàng khi số lượng có thể bán (tồn kho trừ số lượng các đơn đang xử lý giữ lại) bằng hoặc thấp hơn ngưỡng của nó. Ngưỡng lấy theo thứ tự: ngưỡng riêng của phân loại, nếu có (đặt trong trang sửa sản phẩm); nếu không thì ngưỡng của nhóm SKU; nếu không nữa thì ngưỡng mặc định cao nhất trong các gian hàng đang bán sản phẩm. Phân loại không có ngưỡng sẽ không bao giờ bị báo sắp hết hàng.</translation>
    </message>
    <message>
        <source>Shop</source>
        <translation>Gian hàng</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>Kênh bán</translation>
    </message>
    <message>
        <source>Default level</source>
        <translation>Ngưỡng mặc định</translation>
    </message>
    <message>
        <source>Tick all</source>
        <translation>Chọn tất cả</translation>
    </message>
    <message>
        <source>&amp;Level</source>
        <translation>&amp;Ngưỡng</translation>
    </message>
    <message>
        <source>&amp;Apply to selected</source>
        <translation>Áp dụng cho mục đã &amp;chọn</translation>
    </message>
    <message>
        <source>&amp;Reset selected</source>
        <translation>&amp;Xóa ngưỡng mục đã chọn</translation>
    </message>
    <message>
        <source>none</source>
        <translation>không có</translation>
    </message>
    <message numerus="yes">
        <source>Low-stock level %1 applied to %n shop(s).</source>
        <translation>
            <numerusform>Đã áp dụng ngưỡng sắp hết hàng %1 cho %n gian hàng.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>It now covers %n product(s) sold there.</source>
        <translation>
            <numerusform>Ngưỡng này áp dụng cho %n sản phẩm bán trên đó.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n of their variant(s) keep their own level (or their SKU group&apos;s).</source>
        <translation>
            <numerusform>%n phân loại trong số đó giữ ngưỡng riêng (hoặc của nhóm SKU).</numerusform>
        </translation>
    </message>
    <message>
        <source>No product is sold on the ticked shops yet, so the level changes nothing: tick the shop under “Sell on” in a product to use it.</source>
        <translation>Chưa có sản phẩm nào bán trên các gian hàng đã chọn nên ngưỡng này chưa có tác dụng: hãy đánh dấu gian hàng ở mục “Bán trên” trong sản phẩm để dùng.</translation>
    </message>
    <message>
        <source>Low on stock: %1 → %2.</source>
        <translation>Sắp hết hàng: %1 → %2.</translation>
    </message>
    <message numerus="yes">
        <source>Default level removed from %n shop(s).</source>
        <translation>
            <numerusform>Đã xóa ngưỡng mặc định của %n gian hàng.</numerusform>
        </translation>
    </message>
    <message>
        <source>Saving low-stock levels</source>
        <translation>Đang lưu ngưỡng sắp hết hàng</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Your access was changed: sign in again.</source>
        <extracomment>The main window&apos;s smallest size, where the screen has room for it. (key, module the tab needs or None for everyone) The tabs of cards and tables rather than one long list: they scroll when squeezed. How often the signed-in account is checked again (also at every change of tab): the owner disabling it or taking a module away ends the session within this time. The roles by what they may do (losing rank is losing rights). The tabs that follow what changed elsewhere (another PC, a sync: `DataWatch`): the lists (and their sub-tabs) and Home&apos;s figures. (Analytics, heavy, reads its figures again each time it shows.) A page of cards and tables scrolls when the window is shorter than it needs (a list page fills the window and pages its rows instead). &quot;Switch user&quot; was chosen (the session shows the sign-in again). The data was restored: the session restarts on this ServiceContext (sign-in again), saying when the restored backup was taken (a datetime, or None), then naming the shops to authorise again (a tuple of names). The account was disabled or lost rights while signed in: the session shows the sign-in again, saying this (`sign_out`). Signed in just now: the first tab is built unchecked (a sign-out from inside the constructor would reach no one: the session connects to it afterwards). A tab was clicked (not stepped to with the arrows of the focused tab bar). The app&apos;s other windows, out of sight while the window is locked. Tabs taken down when the user&apos;s rights changed, deleted once it is safe.</extracomment>
        <translation>Quyền truy cập của bạn đã thay đổi: hãy đăng nhập lại.</translation>
    </message>
    <message>
        <source>My account</source>
        <extracomment>The built list tabs whose rows changed elsewhere since they were read.</extracomment>
        <translation>Tài khoản của tôi</translation>
    </message>
    <message>
        <source>You have no access to Customers.</source>
        <translation>Bạn không có quyền xem mục Khách hàng.</translation>
    </message>
    <message>
        <source>This customer was deleted: there is nothing to open.</source>
        <translation>Khách hàng này đã bị xóa: không còn hồ sơ để mở.</translation>
    </message>
    <message>
        <source>Prime Distribution — %s</source>
        <translation>Prime Distribution — %s</translation>
    </message>
    <message>
        <source>Home</source>
        <translation>Trang chủ</translation>
    </message>
    <message>
        <source>Analytics</source>
        <translation>Phân tích</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Đơn hàng</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>Khách hàng</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Cài đặt</translation>
    </message>
    <message>
        <source>My account…</source>
        <translation>Tài khoản của tôi…</translation>
    </message>
    <message>
        <source>Lock now</source>
        <translation>Khóa ngay</translation>
    </message>
    <message>
        <source>Switch user</source>
        <translation>Đổi người dùng</translation>
    </message>
    <message>
        <source>Signed in as %s (%s)</source>
        <translation>Đăng nhập: %s (%s)</translation>
    </message>
    <message>
        <source>Data: %s</source>
        <translation>Dữ liệu: %s</translation>
    </message>
    <message>
        <source>Data: PostgreSQL server %s</source>
        <translation>Dữ liệu: máy chủ PostgreSQL %s</translation>
    </message>
</context>
<context>
    <name>MetricDefinitions</name>
    <message>
        <source>Revenue = sum of the order totals of orders placed in the range (shop time zone), excluding cancelled orders and orders in return/refund or returned.</source>
        <translation>Doanh thu = tổng giá trị các đơn hàng đặt trong khoảng thời gian (theo múi giờ cửa hàng), không tính đơn đã hủy, đơn đang trả hàng/hoàn tiền hoặc đã trả hàng.</translation>
    </message>
    <message>
        <source>New orders = every order placed in the range, whatever its status (cancelled and returned ones included).</source>
        <translation>Đơn hàng mới = mọi đơn hàng đặt trong khoảng thời gian, ở bất kỳ trạng thái nào (kể cả đơn đã hủy và đã trả hàng).</translation>
    </message>
    <message>
        <source>Total orders = orders placed in the range, excluding cancelled orders and orders in return/refund or returned (the orders whose totals make the revenue).</source>
        <translation>Tổng đơn hàng = các đơn hàng đặt trong khoảng thời gian, không tính đơn đã hủy, đơn đang trả hàng/hoàn tiền hoặc đã trả hàng (chính là các đơn được tính vào doanh thu).</translation>
    </message>
    <message>
        <source>Products sold = units in the lines of the orders counted in revenue, minus units returned from them.</source>
        <translation>Sản phẩm đã bán = số lượng sản phẩm trong các đơn được tính vào doanh thu, trừ số lượng khách đã trả lại.</translation>
    </message>
    <message>
        <source>Gross profit = what the units sold brought in (in the orders counted in revenue, each line&apos;s subtotal for the units not returned) − what those units cost the shop (each line&apos;s unit cost when it was sold: the product&apos;s average cost then; a product without a cost counts 0). Order discounts, shipping fees and channel commissions are not taken off.</source>
        <translation>Lợi nhuận gộp = tiền thu từ số hàng đã bán (trong các đơn được tính vào doanh thu, phần thành tiền của từng dòng ứng với số lượng không bị trả lại) − giá vốn của số hàng đó (giá vốn đơn vị của từng dòng lúc bán: giá vốn bình quân của sản phẩm khi đó; sản phẩm chưa có giá vốn tính là 0). Chưa trừ giảm giá trên đơn, phí vận chuyển và phí sàn.</translation>
    </message>
    <message>
        <source>Repeat purchase customer rate = customers with 2 or more non-cancelled orders in the range ÷ customers with at least 1 non-cancelled order in the range (orders without a customer are left out).</source>
        <translation>Tỉ lệ khách mua lại = số khách có từ 2 đơn không bị hủy trở lên trong khoảng thời gian ÷ số khách có ít nhất 1 đơn không bị hủy trong khoảng thời gian (không tính đơn không gắn khách hàng).</translation>
    </message>
    <message>
        <source>Top locations = the provinces/cities the orders counted in revenue were shipped to, by number of orders and by revenue (orders with no province, such as counter sales, are left out; See detail counts them as unknown).</source>
        <translation>Khu vực hàng đầu = các tỉnh/thành phố nhận hàng của những đơn được tính vào doanh thu, xếp theo số đơn và theo doanh thu (đơn không có tỉnh/thành, như đơn bán tại quầy, không được tính; trang Xem chi tiết ghi các đơn này là Không rõ).</translation>
    </message>
    <message>
        <source>Top shipping providers = the carriers of the orders counted in revenue, by number of orders (with their revenue; orders with no carrier are left out, See detail counts them as unknown).</source>
        <translation>Đơn vị vận chuyển hàng đầu = đơn vị vận chuyển của những đơn được tính vào doanh thu, xếp theo số đơn (kèm doanh thu; đơn không có đơn vị vận chuyển không được tính, trang Xem chi tiết ghi các đơn này là Không rõ).</translation>
    </message>
    <message>
        <source>Product rank = per product: units sold (as Products sold), revenue = its line subtotals (quantity × price − line discount) in the orders counted in revenue, for the units kept (returned units left out), and gross profit (as Gross profit); change against the previous period.</source>
        <translation>Xếp hạng sản phẩm = theo từng sản phẩm: số lượng đã bán (như Sản phẩm đã bán), doanh thu = thành tiền các dòng của sản phẩm (số lượng × đơn giá − giảm giá dòng) trong các đơn được tính vào doanh thu, chỉ tính phần hàng khách giữ lại (không tính hàng trả lại), và lợi nhuận gộp (như Lợi nhuận gộp); so với kỳ trước.</translation>
    </message>
    <message>
        <source>Waiting now, whatever the range: orders pending, confirmed and waiting to be packed, shipping, in return/refund; products low on stock. For the range: orders placed in it and cancelled; active products with no order counted in revenue in it.</source>
        <translation>Việc đang chờ lúc này, không phụ thuộc khoảng ngày: đơn chờ xác nhận, đã xác nhận chờ đóng gói, đang giao, đang trả hàng/hoàn tiền; sản phẩm sắp hết hàng. Theo khoảng ngày: đơn đặt trong khoảng ngày và đã hủy; sản phẩm đang bán chưa có đơn nào tính vào doanh thu trong khoảng ngày.</translation>
    </message>
    <message>
        <source>Each figure is compared with the previous period: for This week, Last week, This month, Last month and This year, the same days of the week, month or year before (a month&apos;s last day against the last day of the month before); for the other ranges, the same number of days just before the range. A range ending today is compared up to the same time of day.</source>
        <translation>Mỗi chỉ số được so với kỳ trước: với Tuần này, Tuần trước, Tháng này, Tháng trước và Năm nay là cùng các ngày của tuần, tháng hoặc năm trước (ngày cuối tháng so với ngày cuối của tháng trước); với các khoảng khác là cùng số ngày ngay trước khoảng đã chọn. Khoảng kết thúc hôm nay được so đến cùng giờ trong ngày.</translation>
    </message>
</context>
<context>
    <name>OneTimePasswordDialog</name>
    <message>
        <source>One-time password</source>
        <translation>Mật khẩu dùng một lần</translation>
    </message>
    <message>
        <source>Give this one-time password to %s (%s). It is shown only now; they choose their own password when they first sign in.</source>
        <translation>Hãy đưa mật khẩu dùng một lần này cho %s (%s). Mật khẩu chỉ hiện lúc này; người đó sẽ tự đặt mật khẩu riêng khi đăng nhập lần đầu.</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Sao chép</translation>
    </message>
</context>
<context>
    <name>OrderDetailDialog</name>
    <message>
        <source>Shop</source>
        <extracomment>A return&apos;s status history note (`services.orders.return_in`, stored in English). Status history notes the services write from a template, each with the template it shows as: older wordings read as today&apos;s (a return&apos;s refund once said &quot;đ&quot; in every language). The older first: today&apos;s would read its &quot;… đ&quot; as the refund. … with units written off instead of restocked (defective). An exchange&apos;s return, plain and with units written off. A return&apos;s reasons the services write (`services.shipping._finish_return`). The carrier&apos;s news (`services.shipping._apply_status`): &quot;GHN: Picked up&quot;; older notes said &quot;GHN: Lấy hàng thành công (picked)&quot; whatever the language. The carrier&apos;s statuses by their English words (how today&apos;s notes name them). The failed-action line: the error colours of the lists&apos; message bar. Where `order_stamp`&apos;s state has the order&apos;s &quot;waiting for the marketplace&quot; mark. How often a shown &quot;waiting&quot; banner follows the sync state and reads the order&apos;s mark. The items table&apos;s line discount column (hidden when no line has one). The status history&apos;s note column keeps at least this share of the table&apos;s width (less when its notes need less). After any successful action (the list refreshes). The customer&apos;s id, when the user opens the customer. The stored note the typed text started from: Save is refused when the note stored by then is another (changed on another screen or PC). Save chosen on closing with a typed note: &quot;waiting&quot; for the action running to end, &quot;saving&quot; the note (the dialog closes once it is stored), or &quot;&quot;. What the printer said last (printed, copied as text). Why Cancel is refused though the status allows it (a live shipment, an exchange). Why Ship is refused though the status allows it (a live carrier shipment).</extracomment>
        <translation>Gian hàng</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>Thanh toán</translation>
    </message>
    <message>
        <source>Order date</source>
        <translation>Ngày đặt hàng</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Nguồn đơn</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Danh sách sản phẩm</translation>
    </message>
    <message>
        <source>Status history</source>
        <translation>Lịch sử trạng thái</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Variant</source>
        <translation>Phân loại</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>SL</translation>
    </message>
    <message>
        <source>Unit price</source>
        <translation>Đơn giá</translation>
    </message>
    <message>
        <source>Subtotal</source>
        <translation>Thành tiền</translation>
    </message>
    <message>
        <source>Discount</source>
        <translation>Giảm giá</translation>
    </message>
    <message>
        <source>No items are recorded for this order.</source>
        <translation>Đơn hàng này chưa có sản phẩm nào.</translation>
    </message>
    <message>
        <source>No status changes are recorded for this order.</source>
        <translation>Đơn hàng này chưa có thay đổi trạng thái nào.</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Thực hiện</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Tổng cộng</translation>
    </message>
    <message>
        <source>Channel commission</source>
        <translation>Phí sàn</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Đã hoàn tiền</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>Đã thanh toán</translation>
    </message>
    <message>
        <source>Owed</source>
        <translation>Còn nợ</translation>
    </message>
    <message>
        <source>Cash received</source>
        <translation>Tiền khách đưa</translation>
    </message>
    <message>
        <source>Change given</source>
        <translation>Tiền thừa trả khách</translation>
    </message>
    <message>
        <source>What this sale on account leaves owed, as its receipt says; what the customer pays later counts on their account.</source>
        <translation>Số tiền đơn ghi nợ này còn nợ, như trên hóa đơn; tiền khách trả sau được tính vào công nợ của khách.</translation>
    </message>
    <message>
        <source>Gross profit</source>
        <translation>Lợi nhuận gộp</translation>
    </message>
    <message>
        <source>What the items kept sold for, less what they cost the shop when sold (as Analytics&apos; Gross profit).</source>
        <translation>Tiền bán các món khách giữ lại, trừ giá vốn của chúng lúc bán (như Lợi nhuận gộp trong Phân tích).</translation>
    </message>
    <message>
        <source>The commission is paid by the shop to the channel, not part of the total.</source>
        <translation>Phí sàn do cửa hàng trả, không tính vào tổng cộng.</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Khách hàng</translation>
    </message>
    <message>
        <source>Ship to</source>
        <translation>Người nhận</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Địa chỉ</translation>
    </message>
    <message>
        <source>Carrier</source>
        <translation>Đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>Tracking</source>
        <translation>Mã vận đơn</translation>
    </message>
    <message>
        <source>Staff note</source>
        <translation>Ghi chú nội bộ</translation>
    </message>
    <message>
        <source>A note for the team about this order</source>
        <translation>Ghi chú cho nhân viên về đơn hàng này</translation>
    </message>
    <message>
        <source>Save note</source>
        <translation>Lưu ghi chú</translation>
    </message>
    <message>
        <source>only staff see it, never printed</source>
        <translation>chỉ nhân viên xem được, không in ra</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>Xác nhận</translation>
    </message>
    <message>
        <source>Ship</source>
        <translation>Giao hàng</translation>
    </message>
    <message>
        <source>Complete</source>
        <translation>Hoàn thành</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Sửa đơn…</translation>
    </message>
    <message>
        <source>Order again…</source>
        <translation>Đặt lại…</translation>
    </message>
    <message>
        <source>A new sale with this customer and these items, at today&apos;s prices</source>
        <translation>Tạo đơn mới với khách hàng và các sản phẩm này, theo giá hiện tại</translation>
    </message>
    <message>
        <source>Cancel order</source>
        <translation>Hủy đơn</translation>
    </message>
    <message>
        <source>Return…</source>
        <translation>Trả hàng…</translation>
    </message>
    <message>
        <source>Exchange…</source>
        <translation>Đổi hàng…</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>In</translation>
    </message>
    <message>
        <source>Print a receipt, invoice or packing slip</source>
        <translation>In hóa đơn bán hàng, hóa đơn chi tiết hoặc phiếu giao hàng</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>Đóng (Esc)</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>Tải lại</translation>
    </message>
    <message>
        <source>Updated with a change made elsewhere at %1.</source>
        <translation>Đã cập nhật theo thay đổi từ nơi khác lúc %1.</translation>
    </message>
    <message>
        <source>This order no longer exists: it was deleted elsewhere.</source>
        <translation>Đơn hàng này không còn nữa: đã bị xóa ở nơi khác.</translation>
    </message>
    <message>
        <source>This order was changed elsewhere at %1.</source>
        <translation>Đơn hàng này đã được thay đổi ở nơi khác lúc %1.</translation>
    </message>
    <message>
        <source>Updated with a change made on %1 at %2.</source>
        <translation>Đã cập nhật theo thay đổi trên máy %1 lúc %2.</translation>
    </message>
    <message>
        <source>This order was changed on %1 at %2.</source>
        <translation>Đơn hàng này đã được thay đổi trên máy %1 lúc %2.</translation>
    </message>
    <message>
        <source>Order %1</source>
        <translation>Đơn hàng %1</translation>
    </message>
    <message>
        <source>Flagged</source>
        <translation>Đã đánh dấu</translation>
    </message>
    <message>
        <source>the carrier</source>
        <translation>đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>Cancel reason: %1</source>
        <translation>Lý do hủy: %1</translation>
    </message>
    <message>
        <source>Waiting to be sent to %1: the app is offline. It goes out when the connection is back.</source>
        <translation>Đang chờ gửi cho %1: ứng dụng đang mất kết nối. Đơn sẽ được gửi khi có mạng trở lại.</translation>
    </message>
    <message>
        <source>Not sent to %1 yet: %2</source>
        <translation>Chưa gửi được cho %1: %2</translation>
    </message>
    <message>
        <source>Not sent to %1 yet: %1 answered with an error. The app tries again by itself.</source>
        <translation>Chưa gửi được cho %1: %1 báo lỗi. Ứng dụng sẽ tự thử lại.</translation>
    </message>
    <message>
        <source>Sending to %1…</source>
        <translation>Đang gửi cho %1…</translation>
    </message>
    <message>
        <source>%1 (returned %2)</source>
        <translation>%1 (đã trả hàng %2)</translation>
    </message>
    <message>
        <source>Discount code %1</source>
        <translation>Mã giảm giá %1</translation>
    </message>
    <message>
        <source>Points discount (%n point)</source>
        <translation>Giảm giá bằng điểm (%n điểm)</translation>
    </message>
    <message>
        <source>Points discount (%n points)</source>
        <translation>Giảm giá bằng điểm (%n điểm)</translation>
    </message>
    <message>
        <source>%n line has no cost: its whole price counts as profit</source>
        <translation>%n dòng chưa có giá vốn: toàn bộ giá bán được tính là lãi</translation>
    </message>
    <message>
        <source>%n lines have no cost: their whole price counts as profit</source>
        <translation>%n dòng chưa có giá vốn: toàn bộ giá bán được tính là lãi</translation>
    </message>
    <message>
        <source>Items of this order were exchanged for order %1 (%2).</source>
        <translation>Hàng của đơn này đã được đổi sang đơn %1 (%2).</translation>
    </message>
    <message>
        <source>Items returned from order %1 paid %2 of it; %3 was given back to the customer.</source>
        <translation>Hàng trả lại từ đơn %1 đã trừ %2 vào đơn này; %3 còn dư đã trả lại cho khách.</translation>
    </message>
    <message>
        <source>Items returned from order %1 paid %2 of it.</source>
        <translation>Hàng trả lại từ đơn %1 đã trừ %2 vào đơn này.</translation>
    </message>
    <message>
        <source>⚠ Not sent to %1: %2</source>
        <translation>⚠ Chưa gửi được lên %1: %2</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>không rõ lý do</translation>
    </message>
    <message>
        <source>The order shows here as it was changed, not as %1 has it.</source>
        <translation>Đơn ở đây hiển thị theo thay đổi trong ứng dụng, chưa khớp với %1.</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Thử lại</translation>
    </message>
    <message>
        <source>Send it to %1 again</source>
        <translation>Gửi lại lên %1</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Bỏ qua</translation>
    </message>
    <message>
        <source>Do not send it; the next sync brings the order as %1 has it</source>
        <translation>Không gửi nữa; lần đồng bộ sau sẽ lấy lại đơn như trên %1</translation>
    </message>
    <message>
        <source>Retrying</source>
        <translation>Đang thử lại</translation>
    </message>
    <message>
        <source>Discarding</source>
        <translation>Đang bỏ qua</translation>
    </message>
    <message>
        <source>Sold on an earlier day: only the delivery details, note and customer can still change</source>
        <translation>Đơn bán từ ngày trước: chỉ còn sửa được thông tin giao hàng, ghi chú và khách hàng</translation>
    </message>
    <message>
        <source>Shipment %1 with the carrier is live: cancel it first to ship the order by hand.</source>
        <translation>Vận đơn %1 với đơn vị vận chuyển đang hoạt động: hãy hủy vận đơn trước khi tự giao đơn hàng.</translation>
    </message>
    <message>
        <source>Only completed orders can be returned. If the parcel comes back undelivered, press Cancel order: its items go back into stock.</source>
        <translation>Chỉ trả hàng được với đơn đã hoàn tất. Nếu kiện hàng giao không thành công và bị hoàn về, hãy bấm Hủy đơn: hàng sẽ được nhập lại kho.</translation>
    </message>
    <message>
        <source>Only the owner, a manager or staff with the right “Refunds and returns” may take returns and exchange items.</source>
        <translation>Chỉ chủ cửa hàng, quản lý hoặc nhân viên có quyền “Hoàn tiền và trả hàng” mới được nhận trả hàng và đổi hàng.</translation>
    </message>
    <message>
        <source>The app cannot cancel orders on %1: after cancelling it here, cancel it in %1 Seller Center too.</source>
        <translation>Ứng dụng không hủy được đơn trên %1: sau khi hủy ở đây, hãy hủy cả trong %1 Seller Center.</translation>
    </message>
    <message>
        <source>(no note)</source>
        <translation>(không có ghi chú)</translation>
    </message>
    <message>
        <source>The note now: %1</source>
        <translation>Ghi chú hiện tại: %1</translation>
    </message>
    <message>
        <source>Unsaved note</source>
        <translation>Ghi chú chưa lưu</translation>
    </message>
    <message>
        <source>The staff note is not saved. Save it before closing?</source>
        <translation>Ghi chú nội bộ chưa được lưu. Lưu trước khi đóng?</translation>
    </message>
    <message>
        <source>Items returned from order %1 (%2) came off what the customer owes.</source>
        <translation>Hàng trả lại từ đơn %1 (%2) đã trừ vào công nợ của khách.</translation>
    </message>
    <message>
        <source>Confirm it in %1 Seller Center too: the app cannot confirm %1 orders.</source>
        <translation>Hãy xác nhận cả trên %1 Seller Center: ứng dụng chưa xác nhận được đơn %1.</translation>
    </message>
    <message>
        <source>Cancel it in %1 Seller Center too: the app cannot cancel %1 orders.</source>
        <translation>Hãy hủy cả trên %1 Seller Center: ứng dụng chưa hủy được đơn %1.</translation>
    </message>
    <message>
        <source>Open the customer</source>
        <translation>Mở hồ sơ khách hàng</translation>
    </message>
    <message>
        <source>Walk-in customer</source>
        <translation>Khách lẻ</translation>
    </message>
    <message>
        <source>Not linked to a customer</source>
        <translation>Chưa liên kết với khách hàng</translation>
    </message>
    <message>
        <source>%1 (deleted)</source>
        <translation>%1 (đã xóa)</translation>
    </message>
    <message>
        <source>This customer was deleted.</source>
        <translation>Khách hàng này đã bị xóa.</translation>
    </message>
    <message>
        <source>You have no access to Customers.</source>
        <translation>Bạn không có quyền xem mục Khách hàng.</translation>
    </message>
    <message>
        <source>Change delivery address…</source>
        <translation>Sửa địa chỉ giao hàng…</translation>
    </message>
    <message>
        <source>Change the items, prices, discounts and payment</source>
        <translation>Sửa sản phẩm, giá, giảm giá và thanh toán</translation>
    </message>
    <message>
        <source>Edited</source>
        <translation>Sửa đơn</translation>
    </message>
    <message>
        <source>Total %1 → %2</source>
        <translation>Tổng %1 → %2</translation>
    </message>
    <message>
        <source>Delivery address changed</source>
        <translation>Đổi địa chỉ giao hàng</translation>
    </message>
    <message>
        <source>Unflag</source>
        <translation>Bỏ đánh dấu</translation>
    </message>
    <message>
        <source>Flag</source>
        <translation>Đánh dấu</translation>
    </message>
    <message>
        <source>Only completed orders can be returned.</source>
        <translation>Chỉ đơn đã hoàn thành mới trả hàng được.</translation>
    </message>
    <message>
        <source>A marketplace order is exchanged through its marketplace.</source>
        <translation>Đơn sàn TMĐT được đổi hàng qua sàn.</translation>
    </message>
    <message>
        <source>The customer brings items back and takes others instead</source>
        <translation>Khách mang hàng trả lại và lấy hàng khác thay thế</translation>
    </message>
    <message>
        <source>Only completed orders can be exchanged.</source>
        <translation>Chỉ đơn đã hoàn thành mới đổi hàng được.</translation>
    </message>
    <message>
        <source>Confirming the order</source>
        <translation>Đang xác nhận đơn hàng</translation>
    </message>
    <message>
        <source>Updating the order status</source>
        <translation>Đang cập nhật trạng thái đơn hàng</translation>
    </message>
    <message>
        <source>Cancelling the order</source>
        <translation>Đang hủy đơn hàng</translation>
    </message>
    <message>
        <source>Flagging the order</source>
        <translation>Đang cập nhật đánh dấu đơn hàng</translation>
    </message>
    <message>
        <source>Saving the note</source>
        <translation>Đang lưu ghi chú</translation>
    </message>
</context>
<context>
    <name>OrdersPage</name>
    <message>
        <source>No orders yet: make a sale with New order or import a file. For a marketplace shop&apos;s orders, ask the shop owner to connect it.</source>
        <translation>Chưa có đơn hàng: bán hàng với nút Đơn hàng mới hoặc nhập tệp. Muốn có đơn từ gian hàng trên sàn, hãy nhờ chủ cửa hàng kết nối gian hàng.</translation>
    </message>
    <message>
        <source>No orders match the search, the status tab and the filters.</source>
        <translation>Không có đơn hàng nào khớp với tìm kiếm, trạng thái đang chọn và bộ lọc.</translation>
    </message>
    <message>
        <source>No order on this tab matches; %n under other tabs</source>
        <translation>Không có đơn nào ở tab này khớp; có %n đơn ở các tab khác</translation>
    </message>
    <message>
        <source>Show all</source>
        <translation>Xem tất cả</translation>
    </message>
    <message>
        <source>No order on this tab matches; %n under %1</source>
        <translation>Không có đơn nào ở tab này khớp; có %n đơn ở %1</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Xem</translation>
    </message>
    <message>
        <source>No orders match with the current filters — %n match without them.</source>
        <translation>Không có đơn khớp với bộ lọc đang chọn — %n đơn khớp nếu bỏ lọc.</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>Bỏ lọc</translation>
    </message>
    <message>
        <source>No orders match with the current filters — %n match without them, under other tabs.</source>
        <translation>Không có đơn khớp với bộ lọc đang chọn — %n đơn khớp nếu bỏ lọc, ở các mục khác.</translation>
    </message>
    <message>
        <source>Clear filters and show all</source>
        <translation>Bỏ lọc và xem tất cả</translation>
    </message>
    <message>
        <source>No orders match with the current filters — %n match without them, under %1.</source>
        <translation>Không có đơn khớp với bộ lọc đang chọn — %n đơn khớp nếu bỏ lọc, ở mục %1.</translation>
    </message>
    <message>
        <source>Clear filters and show</source>
        <translation>Bỏ lọc và xem</translation>
    </message>
    <message>
        <source>No orders yet: make a sale with New order, import a file, or connect a marketplace shop in Settings → Sales channels.</source>
        <extracomment>Emitted when new status counts are shown. The user asked to see a customer (from an order&apos;s detail): the customer&apos;s id. Selections up to this many rows have their statuses read to enable Confirm/Cancel; beyond, the actions stay enabled and the service skips what does not apply. The status counts shown (empty until the first answer). The (filter, search) the counts shown are of. The search&apos;s counts with the chips off, read with `counts` when the chips hide every match (None otherwise). The search Enter was pressed on: an exact order number found only under another status tab opens that tab (`_jump_if_one_order`), the order then selected (`_jump_to`, once the tab&apos;s rows are read).</extracomment>
        <translation>Chưa có đơn hàng: bán hàng với nút Đơn hàng mới, nhập tệp, hoặc kết nối gian hàng trên sàn trong Cài đặt → Kênh bán hàng.</translation>
    </message>
</context>
<context>
    <name>PaymentDialog</name>
    <message>
        <source>Pay %1</source>
        <translation>Trả tiền %1</translation>
    </message>
    <message>
        <source>Owed now</source>
        <translation>Đang nợ</translation>
    </message>
    <message>
        <source>&amp;Amount paid</source>
        <translation>&amp;Số tiền trả</translation>
    </message>
    <message>
        <source>&amp;Method</source>
        <translation>&amp;Hình thức</translation>
    </message>
    <message>
        <source>&amp;Note</source>
        <translation>&amp;Ghi chú</translation>
    </message>
    <message>
        <source>e.g. 500.000</source>
        <translation>ví dụ 500.000</translation>
    </message>
    <message>
        <source>optional: transfer reference, who was paid…</source>
        <translation>không bắt buộc: mã chuyển khoản, người nhận tiền…</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>%1 paid in advance</source>
        <translation>Đã trả trước %1</translation>
    </message>
    <message>
        <source>Type the amount paid as an amount of money, e.g. 500.000.</source>
        <translation>Nhập số tiền trả dưới dạng số tiền, ví dụ 500.000.</translation>
    </message>
    <message>
        <source>The amount paid must be 1 to %1.</source>
        <translation>Số tiền trả phải từ 1 đến %1.</translation>
    </message>
    <message>
        <source>Owed after: %1 (%2 paid in advance)</source>
        <translation>Còn nợ sau khi trả: %1 (trả trước %2)</translation>
    </message>
    <message>
        <source>Owed after: %1</source>
        <translation>Còn nợ sau khi trả: %1</translation>
    </message>
    <message>
        <source>Paying the supplier</source>
        <translation>Đang ghi nhận trả tiền nhà cung cấp</translation>
    </message>
</context>
<context>
    <name>PickDialog</name>
    <message>
        <source>Choose a segment</source>
        <translation>Chọn phân khúc</translation>
    </message>
    <message>
        <source>New segment…</source>
        <translation>Tạo phân khúc…</translation>
    </message>
    <message>
        <source>Find a segment</source>
        <translation>Tìm phân khúc</translation>
    </message>
    <message>
        <source>Choose a tag</source>
        <translation>Chọn thẻ</translation>
    </message>
    <message>
        <source>New tag…</source>
        <translation>Tạo thẻ…</translation>
    </message>
    <message>
        <source>Find a tag</source>
        <translation>Tìm thẻ</translation>
    </message>
    <message>
        <source>New segment</source>
        <translation>Tạo phân khúc</translation>
    </message>
    <message>
        <source>New tag</source>
        <translation>Tạo thẻ</translation>
    </message>
    <message>
        <source>Segment name:</source>
        <translation>Tên phân khúc:</translation>
    </message>
    <message>
        <source>Tag name:</source>
        <translation>Tên thẻ:</translation>
    </message>
</context>
<context>
    <name>PlaceNames</name>
    <message>
        <source>This carrier takes the names as written: no list to pick from (a 2025 address has no district).</source>
        <translation>Hãng vận chuyển này nhận tên địa chỉ đúng như đã ghi: không cần chọn từ danh sách (địa chỉ theo bản đồ 2025 không có quận/huyện).</translation>
    </message>
</context>
<context>
    <name>PointsAdjustBar</name>
    <message>
        <source>Adjust by</source>
        <extracomment>Points were adjusted: the new balance.</extracomment>
        <translation>Cộng/trừ</translation>
    </message>
    <message>
        <source>Reason (required)</source>
        <translation>Lý do (bắt buộc)</translation>
    </message>
    <message>
        <source>Adjust points</source>
        <translation>Điều chỉnh điểm</translation>
    </message>
    <message>
        <source>Only the owner or a manager adjusts points.</source>
        <translation>Chỉ chủ cửa hàng hoặc quản lý mới được điều chỉnh điểm.</translation>
    </message>
    <message>
        <source>Points adjusted: %1 remaining.</source>
        <translation>Đã điều chỉnh điểm: còn %1.</translation>
    </message>
    <message>
        <source>Adjusting points</source>
        <translation>Đang điều chỉnh điểm</translation>
    </message>
</context>
<context>
    <name>PointsSettingsSection</name>
    <message>
        <source>Loyalty points</source>
        <extracomment>Above this share of an order given back as points the rule reads in a warning colour (shops commonly give back 1–5%). The rules as last read or saved (None before): `has_edits` compares with them.</extracomment>
        <translation>Điểm thưởng</translation>
    </message>
    <message>
        <source>Customers earn points when an order becomes successful (completed); the points go again if it is cancelled or returned. Points are redeemed in Create order.</source>
        <translation>Khách hàng được tích điểm khi đơn hàng thành công (hoàn thành); điểm bị trừ lại nếu đơn bị hủy hoặc trả hàng. Điểm được dùng khi Tạo đơn hàng.</translation>
    </message>
    <message>
        <source>Only the owner or a manager changes the loyalty points rules.</source>
        <translation>Chỉ chủ cửa hàng hoặc quản lý được thay đổi quy định tích điểm.</translation>
    </message>
    <message>
        <source>VND per point earned (0 = off)</source>
        <translation>Mua bao nhiêu ₫ được 1 điểm (0 = tắt)</translation>
    </message>
    <message>
        <source>One point is worth (VND)</source>
        <translation>Giá trị một điểm (₫)</translation>
    </message>
    <message>
        <source>Points pay at most (% of an order)</source>
        <translation>Dùng điểm tối đa (% giá trị đơn)</translation>
    </message>
    <message>
        <source>Orders that earn points</source>
        <translation>Đơn hàng được tích điểm</translation>
    </message>
    <message>
        <source>Counter, phone and chat orders (the shop&apos;s own sales)</source>
        <translation>Đơn tại quầy, qua điện thoại và chat (bán hàng của cửa hàng)</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Earning is off: orders earn no points.</source>
        <translation>Đang tắt tích điểm: đơn hàng không được cộng điểm.</translation>
    </message>
    <message>
        <source>≈ %1 of the order&apos;s value comes back as points: that is a lot (shops usually give 1–5%).</source>
        <translation>≈ %1 giá trị đơn được trả lại bằng điểm: mức này khá cao (các cửa hàng thường để 1–5%).</translation>
    </message>
    <message>
        <source>≈ %1 of the order&apos;s value comes back as points.</source>
        <translation>≈ %1 giá trị đơn được trả lại bằng điểm.</translation>
    </message>
    <message>
        <source>Saving the points rules</source>
        <translation>Đang lưu quy định tích điểm</translation>
    </message>
    <message>
        <source>Cannot read “%1” as an amount: type e.g. 100000, 100k or 1tr.</source>
        <translation>Không đọc được “%1” thành số tiền: gõ ví dụ 100000, 100k hoặc 1tr.</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Đã lưu.</translation>
    </message>
</context>
<context>
    <name>PriceChangeDialog</name>
    <message>
        <source>Edit scheduled price change</source>
        <extracomment>Rows the preview shows (the rest are counted). Rounding steps offered (1 = none). (mode, sign) of each &quot;how&quot; entry; the sign turns &quot;down by&quot; into a negative change. The entries by field: the discount price can also be a percentage off, or removed. The pickers a refusal names are marked as the line edits are (style.qss).</extracomment>
        <translation>Sửa lịch đổi giá</translation>
    </message>
    <message>
        <source>Change prices</source>
        <translation>Đổi giá</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Giá</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Cách đổi</translation>
    </message>
    <message>
        <source>Round to</source>
        <translation>Làm tròn đến</translation>
    </message>
    <message>
        <source>Selling price</source>
        <translation>Giá bán</translation>
    </message>
    <message>
        <source>Discount price</source>
        <translation>Giá khuyến mãi</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>Giá vốn</translation>
    </message>
    <message>
        <source>No rounding</source>
        <translation>Không làm tròn</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Now</source>
        <translation>Hiện tại</translation>
    </message>
    <message>
        <source>After</source>
        <translation>Sau khi đổi</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Khi nào</translation>
    </message>
    <message>
        <source>At a set time (a sale, a new price list)</source>
        <translation>Vào thời điểm định sẵn (khuyến mãi, bảng giá mới)</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Tên</translation>
    </message>
    <message>
        <source>e.g. Weekend sale 12.12</source>
        <translation>ví dụ: Sale cuối tuần 12.12</translation>
    </message>
    <message>
        <source>Starts</source>
        <translation>Bắt đầu</translation>
    </message>
    <message>
        <source>Prices go back at</source>
        <translation>Trả lại giá cũ lúc</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>Lên lịch</translation>
    </message>
    <message>
        <source>Set to</source>
        <translation>Đặt bằng</translation>
    </message>
    <message>
        <source>Up by a percentage</source>
        <translation>Tăng theo %</translation>
    </message>
    <message>
        <source>Down by a percentage</source>
        <translation>Giảm theo %</translation>
    </message>
    <message>
        <source>Up by an amount</source>
        <translation>Tăng một khoản tiền</translation>
    </message>
    <message>
        <source>Down by an amount</source>
        <translation>Giảm một khoản tiền</translation>
    </message>
    <message>
        <source>A percentage off the selling price</source>
        <translation>Giảm % so với giá bán</translation>
    </message>
    <message>
        <source>Remove the discount price</source>
        <translation>Bỏ giá khuyến mãi</translation>
    </message>
    <message>
        <source>New price</source>
        <translation>Giá mới</translation>
    </message>
    <message>
        <source>Percentage</source>
        <translation>Tỷ lệ</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Số tiền</translation>
    </message>
    <message>
        <source>Type the new price, percentage or amount.</source>
        <translation>Nhập giá mới, tỷ lệ hoặc số tiền.</translation>
    </message>
    <message>
        <source>“%1” is not a number.</source>
        <translation>“%1” không phải là số.</translation>
    </message>
    <message>
        <source>Type the percentage or amount without a minus sign: “%1” already says up or down.</source>
        <translation>Nhập phần trăm hoặc số tiền không có dấu trừ: “%1” đã cho biết tăng hay giảm.</translation>
    </message>
    <message>
        <source>None of the chosen products has a variant on sale.</source>
        <translation>Các sản phẩm đã chọn không có phân loại nào đang bán.</translation>
    </message>
    <message>
        <source>The first %1 of %2 variants are shown.</source>
        <translation>Đang hiện %1 phân loại đầu tiên trong số %2.</translation>
    </message>
    <message>
        <source>Nothing will change: %1 of %2 variants cannot take the new price (in red). Change the rule, or choose fewer products.</source>
        <translation>Sẽ không đổi giá phân loại nào: %1 / %2 phân loại không nhận được giá mới (màu đỏ). Hãy đổi cách tính, hoặc chọn ít sản phẩm hơn.</translation>
    </message>
    <message>
        <source>%1 of %2 variants change.</source>
        <translation>%1 / %2 phân loại được đổi giá.</translation>
    </message>
    <message>
        <source>The first %1 are shown.</source>
        <translation>Đang hiện %1 dòng đầu.</translation>
    </message>
    <message>
        <source>Saving the scheduled change</source>
        <translation>Đang lưu lịch đổi giá</translation>
    </message>
    <message>
        <source>Scheduling the price change</source>
        <translation>Đang lên lịch đổi giá</translation>
    </message>
    <message>
        <source>Changing prices</source>
        <translation>Đang đổi giá</translation>
    </message>
</context>
<context>
    <name>PriceSchedulesDialog</name>
    <message>
        <source>Scheduled price changes</source>
        <extracomment>The detail&apos;s columns: SKU, product, before, during, after the end.</extracomment>
        <translation>Chương trình đổi giá theo lịch</translation>
    </message>
    <message>
        <source>Price changes that start at a set time and, if an end is set, give the prices back then (a price changed by hand meanwhile stays). To schedule one, choose Change prices… and set When to “At a set time”. New schedule… does the same for the products selected in the list. Select a change to see its prices. The app applies them while it runs, and at its next start if the PC was off.</source>
        <translation>Các lần đổi giá bắt đầu vào thời điểm định sẵn và, nếu có giờ kết thúc, trả lại giá cũ lúc đó (giá đã sửa tay trong thời gian này được giữ nguyên). Để lên lịch, hãy bấm Đổi giá… rồi chọn Khi nào là “Vào thời điểm định sẵn”. Tạo lịch mới… làm việc này cho các sản phẩm đang chọn trong danh sách. Chọn một chương trình để xem giá. Ứng dụng áp dụng khi đang chạy, và ở lần mở kế tiếp nếu máy đã tắt.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Tên</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Thay đổi</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Bắt đầu</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>End</source>
        <translation>Kết thúc</translation>
    </message>
    <message>
        <source>Show finished</source>
        <translation>Hiện cả chương trình đã xong</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>New schedule…</source>
        <translation>Tạo lịch mới…</translation>
    </message>
    <message>
        <source>Schedule a price change on the %1 products selected in the list</source>
        <translation>Hẹn lịch đổi giá cho %1 sản phẩm đang chọn trong danh sách</translation>
    </message>
    <message>
        <source>Select the products in the Products list first, then open Scheduled prices again.</source>
        <translation>Hãy chọn sản phẩm trong danh sách Sản phẩm trước, rồi mở lại Giá theo lịch.</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Sửa…</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>Giá trước</translation>
    </message>
    <message>
        <source>During</source>
        <translation>Trong chương trình</translation>
    </message>
    <message>
        <source>After the end</source>
        <translation>Sau khi kết thúc</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Đang chờ</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Đang chạy</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Đã xong</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Đã hủy</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Thất bại</translation>
    </message>
    <message>
        <source>%1 variants had their price back</source>
        <translation>%1 phân loại đã về giá cũ</translation>
    </message>
    <message>
        <source>Ended early; planned end: %1</source>
        <translation>Đã kết thúc sớm; dự kiến kết thúc: %1</translation>
    </message>
    <message>
        <source>Change its name, prices or times</source>
        <translation>Sửa tên, giá hoặc thời gian</translation>
    </message>
    <message>
        <source>Only a change still waiting can be edited: end or cancel it, and schedule a new one.</source>
        <translation>Chỉ sửa được chương trình chưa bắt đầu: hãy kết thúc hoặc hủy, rồi tạo lịch mới.</translation>
    </message>
    <message>
        <source>End now</source>
        <translation>Kết thúc ngay</translation>
    </message>
    <message>
        <source>Cancel schedule</source>
        <translation>Hủy lịch đổi giá</translation>
    </message>
    <message>
        <source>End it now: its prices go back</source>
        <translation>Kết thúc ngay: giá trở về như cũ</translation>
    </message>
    <message>
        <source>Cancel it before it starts</source>
        <translation>Hủy trước khi bắt đầu</translation>
    </message>
    <message>
        <source>Select a change to see its prices.</source>
        <translation>Chọn một chương trình để xem giá.</translation>
    </message>
    <message>
        <source>%1 — %2 variants</source>
        <translation>%1 — %2 phân loại</translation>
    </message>
    <message>
        <source>Changed by hand since: %1 now</source>
        <translation>Đã sửa tay sau đó: hiện là %1</translation>
    </message>
</context>
<context>
    <name>PrintOptionsForm</name>
    <message>
        <source>Choose what this document shows; the preview follows. To change its layout, use Advanced (HTML).</source>
        <extracomment>The message box is three lines tall: a receipt&apos;s foot, not a letter. A choice or the message was changed by the user (not a load): the preview follows.</extracomment>
        <translation>Chọn những gì in trên chứng từ này; bản xem trước cập nhật theo. Muốn đổi bố cục, dùng thẻ Nâng cao (HTML).</translation>
    </message>
    <message>
        <source>Shop logo</source>
        <translation>Logo cửa hàng</translation>
    </message>
    <message>
        <source>Shop address</source>
        <translation>Địa chỉ cửa hàng</translation>
    </message>
    <message>
        <source>Shop phone number</source>
        <translation>Số điện thoại cửa hàng</translation>
    </message>
    <message>
        <source>Order barcode / QR code</source>
        <translation>Mã vạch / mã QR của đơn</translation>
    </message>
    <message>
        <source>Customer&apos;s points balance</source>
        <translation>Điểm tích lũy của khách</translation>
    </message>
    <message>
        <source>Cashier (who made the sale)</source>
        <translation>Thu ngân (người bán đơn)</translation>
    </message>
    <message>
        <source>SKU of each item</source>
        <translation>Mã SKU từng sản phẩm</translation>
    </message>
    <message>
        <source>Text &amp;size</source>
        <translation>&amp;Cỡ chữ</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>Bình thường</translation>
    </message>
    <message>
        <source>Large</source>
        <translation>Lớn</translation>
    </message>
    <message>
        <source>&amp;Thank-you message</source>
        <translation>&amp;Lời cảm ơn</translation>
    </message>
    <message>
        <source>Printed at the foot, line breaks kept (at most %1 characters). Empty: the footer line of Shop details.</source>
        <translation>In ở cuối chứng từ, giữ nguyên xuống dòng (tối đa %1 ký tự). Để trống: dùng dòng cuối trong Thông tin cửa hàng.</translation>
    </message>
    <message>
        <source>This template was edited in Advanced (HTML): it follows these options only where it uses their placeholders. Reset it to default to use them all.</source>
        <translation>Mẫu này đã được sửa ở Nâng cao (HTML): chỉ áp dụng các tùy chọn ở những chỗ mẫu có dùng biến tương ứng. Khôi phục mẫu mặc định để dùng đủ mọi tùy chọn.</translation>
    </message>
    <message>
        <source>Save options</source>
        <translation>Lưu tùy chọn</translation>
    </message>
    <message>
        <source>The shop has no logo yet: choose one in the Shop details tab.</source>
        <translation>Cửa hàng chưa có logo: hãy chọn logo ở thẻ Thông tin cửa hàng.</translation>
    </message>
</context>
<context>
    <name>PrintersSettings</name>
    <message>
        <source>Printers &amp; templates</source>
        <extracomment>Preview width in pixels for A4/A5 (rolls use their printer&apos;s dots). The preview is shown at most this wide (the picture is scaled down to fit). The narrowest the preview shrinks to, and the room kept beside it in its column. The preview image was redrawn (or the template has an error: `error` is set). The shop details were saved: the shop&apos;s name as kept (the window&apos;s header shows it). The sample document the preview shows (None before the first one). The template in the editor, its text as stored, and the document type shown: what an unsaved edit is measured against, and where Cancel puts the combos back. The printer settings as loaded or last saved (None: the stored ones are not valid): what an unsaved change of the printer form is measured against. The Options as loaded or last saved (an unsaved change is measured against them).</extracomment>
        <translation>Máy in &amp; mẫu in</translation>
    </message>
    <message>
        <source>&amp;Document</source>
        <translation>&amp;Chứng từ</translation>
    </message>
    <message>
        <source>Printer and paper</source>
        <translation>Máy in và khổ giấy</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>Mẫu in</translation>
    </message>
    <message>
        <source>Paper</source>
        <translation>Khổ giấy</translation>
    </message>
    <message>
        <source>Printer type</source>
        <translation>Loại máy in</translation>
    </message>
    <message>
        <source>Printer</source>
        <translation>Máy in</translation>
    </message>
    <message>
        <source>Roll 80 mm</source>
        <translation>Giấy cuộn 80 mm</translation>
    </message>
    <message>
        <source>Roll 58 mm</source>
        <translation>Giấy cuộn 58 mm</translation>
    </message>
    <message>
        <source>A4</source>
        <translation>A4</translation>
    </message>
    <message>
        <source>A5</source>
        <translation>A5</translation>
    </message>
    <message>
        <source>System printer (CUPS / Windows)</source>
        <translation>Máy in hệ thống (CUPS / Windows)</translation>
    </message>
    <message>
        <source>ESC/POS thermal printer on the network</source>
        <translation>Máy in nhiệt ESC/POS qua mạng LAN</translation>
    </message>
    <message>
        <source>ESC/POS thermal printer on USB</source>
        <translation>Máy in nhiệt ESC/POS qua USB</translation>
    </message>
    <message>
        <source>ESC/POS thermal printer on a serial port</source>
        <translation>Máy in nhiệt ESC/POS qua cổng COM</translation>
    </message>
    <message>
        <source>Show the print preview before printing</source>
        <translation>Xem trước khi in</translation>
    </message>
    <message>
        <source>Cut the paper after each receipt (ESC/POS)</source>
        <translation>Cắt giấy sau mỗi hóa đơn (ESC/POS)</translation>
    </message>
    <message>
        <source>Open the cash drawer after printing (ESC/POS)</source>
        <translation>Mở ngăn kéo đựng tiền sau khi in (ESC/POS)</translation>
    </message>
    <message>
        <source>Save printer settings</source>
        <translation>Lưu cài đặt máy in</translation>
    </message>
    <message>
        <source>Print a test page</source>
        <translation>In trang thử</translation>
    </message>
    <message>
        <source>Refresh printer list</source>
        <translation>Làm mới danh sách máy in</translation>
    </message>
    <message>
        <source>Template (HTML)</source>
        <translation>Mẫu in (HTML)</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>Tùy chọn</translation>
    </message>
    <message>
        <source>Advanced (HTML)</source>
        <translation>Nâng cao (HTML)</translation>
    </message>
    <message>
        <source>Shop details</source>
        <translation>Thông tin cửa hàng</translation>
    </message>
    <message>
        <source>Save template</source>
        <translation>Lưu mẫu in</translation>
    </message>
    <message>
        <source>Reset to default</source>
        <translation>Khôi phục mặc định</translation>
    </message>
    <message>
        <source>Placeholders (double-click to insert). {{name}} prints a value; {{#name}}…{{/name}} prints the part only when the value is there, or once per item of a list; {{^name}}…{{/name}} only when it is not.</source>
        <translation>Biến (nhấp đúp để chèn). {{name}} in ra giá trị; {{#name}}…{{/name}} chỉ in phần bên trong khi có giá trị, hoặc in một lần cho mỗi mục của danh sách; {{^name}}…{{/name}} chỉ in khi không có giá trị.</translation>
    </message>
    <message>
        <source>Shop details on documents</source>
        <translation>Thông tin cửa hàng trên chứng từ</translation>
    </message>
    <message>
        <source>Shop name</source>
        <translation>Tên cửa hàng</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Địa chỉ</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Số điện thoại</translation>
    </message>
    <message>
        <source>Tax code</source>
        <translation>Mã số thuế</translation>
    </message>
    <message>
        <source>Logo</source>
        <translation>Logo</translation>
    </message>
    <message>
        <source>Footer line</source>
        <translation>Dòng chân trang</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Chọn…</translation>
    </message>
    <message>
        <source>Save shop details</source>
        <translation>Lưu thông tin cửa hàng</translation>
    </message>
    <message>
        <source>Preview with a sample order</source>
        <translation>Xem trước với đơn hàng mẫu</translation>
    </message>
    <message>
        <source>Receipt for an 80 mm roll</source>
        <translation>Hóa đơn khổ cuộn 80 mm</translation>
    </message>
    <message>
        <source>Receipt for a 58 mm roll</source>
        <translation>Hóa đơn khổ cuộn 58 mm</translation>
    </message>
    <message>
        <source>Invoice, A4</source>
        <translation>Hóa đơn chi tiết khổ A4</translation>
    </message>
    <message>
        <source>Invoice, A5</source>
        <translation>Hóa đơn chi tiết khổ A5</translation>
    </message>
    <message>
        <source>Packing slip</source>
        <translation>Phiếu giao hàng</translation>
    </message>
    <message>
        <source>An ESC/POS printer prints at once: there is no print preview for it.</source>
        <translation>Máy in ESC/POS in ngay, không có bước xem trước khi in.</translation>
    </message>
    <message>
        <source>— Choose a printer —</source>
        <translation>— Chọn máy in —</translation>
    </message>
    <message>
        <source>%1 (not found)</source>
        <translation>%1 (không tìm thấy)</translation>
    </message>
    <message>
        <source>No printer found</source>
        <translation>Không tìm thấy máy in</translation>
    </message>
    <message>
        <source>Only for an ESC/POS thermal printer. A system printer cuts the paper and opens the drawer as its driver is set up.</source>
        <translation>Chỉ dùng cho máy in nhiệt ESC/POS. Máy in hệ thống cắt giấy và mở ngăn kéo theo cài đặt trong driver của máy.</translation>
    </message>
    <message>
        <source>No printer is installed on this computer. Plug the printer in, install its driver, then press Refresh printer list. A thermal printer on the network (LAN/Wi-Fi): choose the type &quot;ESC/POS thermal printer on the network&quot; and type its address.</source>
        <translation>Máy tính này chưa cài máy in nào. Hãy cắm máy in, cài driver rồi bấm Làm mới danh sách máy in. Máy in nhiệt dùng mạng (LAN/Wi-Fi): chọn loại &quot;Máy in nhiệt ESC/POS qua mạng LAN&quot; và nhập địa chỉ của máy.</translation>
    </message>
    <message>
        <source>The options for %1 are not saved. Save them?</source>
        <translation>Tùy chọn của %1 chưa được lưu. Lưu lại không?</translation>
    </message>
    <message>
        <source>Unsaved options</source>
        <translation>Tùy chọn chưa lưu</translation>
    </message>
    <message>
        <source>Options saved for %1.</source>
        <translation>Đã lưu tùy chọn cho %1.</translation>
    </message>
    <message>
        <source>The changes to the template %1 are not saved. Save them?</source>
        <translation>Các thay đổi trong mẫu in %1 chưa được lưu. Lưu lại không?</translation>
    </message>
    <message>
        <source>Unsaved template</source>
        <translation>Mẫu in chưa lưu</translation>
    </message>
    <message>
        <source>The printer settings for %1 are not saved. Save them?</source>
        <translation>Cài đặt máy in cho %1 chưa được lưu. Lưu lại không?</translation>
    </message>
    <message>
        <source>Unsaved printer settings</source>
        <translation>Cài đặt máy in chưa lưu</translation>
    </message>
    <message>
        <source>%1 is not a USB id: use VENDOR:PRODUCT in hex, e.g. 04b8:0202.</source>
        <translation>%1 không phải mã USB: nhập dạng VENDOR:PRODUCT (số hex), ví dụ 04b8:0202.</translation>
    </message>
    <message>
        <source>Type the serial port, e.g. /dev/ttyUSB0 or COM3.</source>
        <translation>Nhập cổng nối tiếp (cổng COM), ví dụ /dev/ttyUSB0 hoặc COM3.</translation>
    </message>
    <message>
        <source>Printer settings saved for %1.</source>
        <translation>Đã lưu cài đặt máy in cho %1.</translation>
    </message>
    <message>
        <source>Template %1 saved.</source>
        <translation>Đã lưu mẫu in %1.</translation>
    </message>
    <message>
        <source>Template %1 is back to the default.</source>
        <translation>Đã khôi phục mẫu in %1 về mặc định.</translation>
    </message>
    <message>
        <source>Replace the template %1 with the default one? The changes made to it are lost.</source>
        <translation>Thay mẫu in %1 bằng mẫu mặc định? Những thay đổi đã làm trên mẫu này sẽ mất.</translation>
    </message>
    <message>
        <source>Reset the template</source>
        <translation>Khôi phục mẫu in mặc định</translation>
    </message>
    <message>
        <source>Shop details saved.</source>
        <extracomment>The form&apos;s fields in order (ShopDetails&apos; names). The section&apos;s form at most this wide (its fields hold a line each). A field was edited by the user (not a load): the preview follows. The details were saved: the shop&apos;s name as kept (the window&apos;s header shows it). What to tell the user (saved, or why not). The details as loaded or last saved: an edit is measured against them.</extracomment>
        <translation>Đã lưu thông tin cửa hàng.</translation>
    </message>
    <message>
        <source>Choose the shop logo</source>
        <translation>Chọn logo cửa hàng</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp)</source>
        <translation>Hình ảnh (*.png *.jpg *.jpeg *.bmp)</translation>
    </message>
</context>
<context>
    <name>ProductEditor</name>
    <message>
        <source>New product</source>
        <extracomment>Grid columns, and the VariantDraft field each one edits. Shown with thousands separators (money, and grams: &quot;1.200&quot; reads better than &quot;1200&quot;). Starting widths (px) of the fixed columns; SKU takes the rest. A header longer than its column (in the UI&apos;s language) widens it. The header section&apos;s padding (8 px a side in the style sheet) and the sort-free margin. The widest an attribute column grows to show its values whole (px): a longer value is cut, so SKU keeps room. The variant grid is as tall as its rows, at least this many (room to add one) and at most that many (it scrolls past them): one scroll bar, the dialog&apos;s, up to 12 variants. The shops listed before the &quot;Sell on&quot; list scrolls. An image item&apos;s content hash (`PreparedImage.digest`; a stored image&apos;s file name). On a grid row&apos;s SKU cell: its _RowMeta.sku_made. The rows a &quot;remove these variants?&quot; question names (the rest are counted). Carried to the save so prices left as shown do not undo a change made meanwhile. (SKU, value 1, value 2) when the app made the row&apos;s SKU from these values: while the SKU is still that one and not saved, changing a value makes it again. (row, column) -&gt; the message of a grid cell refused, in row order. Shop id -&gt; item id of the product&apos;s listing there (None: not linked yet). Variant id -&gt; quantity open orders hold; the variants sold or listed before. What marks a low variant&apos;s stock besides the grid (None: a new product). The reason asked on Save for stock typed over an existing variant&apos;s (the last).</extracomment>
        <translation>Thêm sản phẩm mới</translation>
    </message>
    <message>
        <source>Edit product</source>
        <translation>Sửa sản phẩm</translation>
    </message>
    <message>
        <source>Product name</source>
        <translation>Tên sản phẩm</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>Danh mục</translation>
    </message>
    <message>
        <source>Features</source>
        <translation>Đặc điểm nổi bật</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Mô tả sản phẩm</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Hình ảnh</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>Thêm…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Xóa</translation>
    </message>
    <message>
        <source>The first image is the cover; drag to reorder.</source>
        <translation>Ảnh đầu tiên là ảnh bìa; kéo thả để đổi thứ tự.</translation>
    </message>
    <message>
        <source>Sell on</source>
        <translation>Bán trên</translation>
    </message>
    <message>
        <source>No shop yet: add shops in Settings.</source>
        <translation>Chưa có gian hàng: hãy thêm gian hàng trong Cài đặt.</translation>
    </message>
    <message>
        <source>Attributes (up to two)</source>
        <translation>Thuộc tính (tối đa hai)</translation>
    </message>
    <message>
        <source>Attribute</source>
        <translation>Thuộc tính</translation>
    </message>
    <message>
        <source>Values, separated by commas</source>
        <translation>Giá trị, cách nhau bằng dấu phẩy</translation>
    </message>
    <message>
        <source>Base SKU (optional)</source>
        <translation>SKU gốc (không bắt buộc)</translation>
    </message>
    <message>
        <source>e.g. Colour</source>
        <translation>Ví dụ: Màu sắc</translation>
    </message>
    <message>
        <source>e.g. Size</source>
        <translation>Ví dụ: Kích cỡ</translation>
    </message>
    <message>
        <source>e.g. S, M, L</source>
        <translation>Ví dụ: S, M, L</translation>
    </message>
    <message>
        <source>e.g. AO-THUN</source>
        <translation>Ví dụ: AO-THUN</translation>
    </message>
    <message>
        <source>New rows get the SKU BASE-VALUE1-VALUE2</source>
        <translation>Dòng mới có SKU dạng GỐC-GIÁTRỊ1-GIÁTRỊ2</translation>
    </message>
    <message>
        <source>Generate variants</source>
        <translation>Tạo phân loại</translation>
    </message>
    <message>
        <source>Variants</source>
        <translation>Phân loại hàng</translation>
    </message>
    <message>
        <source>Apply to all:</source>
        <translation>Áp dụng cho tất cả:</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Giá bán</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>Giá vốn</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>Tồn kho</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Áp dụng</translation>
    </message>
    <message>
        <source>+ Variant</source>
        <translation>+ Phân loại</translation>
    </message>
    <message>
        <source>Remove variant</source>
        <translation>Xóa phân loại</translation>
    </message>
    <message>
        <source>Fill in SKUs</source>
        <translation>Tạo SKU</translation>
    </message>
    <message>
        <source>Gives each variant without a SKU one made from the base SKU, or else the product name, and its values (e.g. ASMLN-DEN-S), unused in the shop. SKUs already typed stay.</source>
        <translation>Đặt cho mỗi phân loại chưa có SKU một mã tạo từ SKU gốc (hoặc tên sản phẩm) và giá trị thuộc tính (vd. ASMLN-DEN-S), chưa dùng trong cửa hàng. SKU đã nhập được giữ nguyên.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Save  (Ctrl+S)</source>
        <translation>Lưu  (Ctrl+S)</translation>
    </message>
    <message>
        <source>Stock typed here is recorded as a stock movement.</source>
        <translation>Tồn kho nhập ở đây được ghi vào lịch sử kho.</translation>
    </message>
    <message>
        <source>A stock changed here is recorded in the stock history, with the reason asked on Save.</source>
        <translation>Tồn kho sửa ở đây được ghi vào lịch sử kho, kèm lý do hỏi khi Lưu.</translation>
    </message>
    <message>
        <source>Attribute 1</source>
        <translation>Thuộc tính 1</translation>
    </message>
    <message>
        <source>Attribute 2</source>
        <translation>Thuộc tính 2</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Barcode</source>
        <translation>Mã vạch</translation>
    </message>
    <message>
        <source>Discount price</source>
        <translation>Giá khuyến mãi</translation>
    </message>
    <message>
        <source>Low-stock level</source>
        <translation>Ngưỡng sắp hết hàng</translation>
    </message>
    <message>
        <source>Your counter sells every product. Ticked, the product is listed on this shop: the products&apos; Shops column and shop filter show it.</source>
        <translation>Quầy của bạn bán mọi sản phẩm. Khi đánh dấu, sản phẩm được đăng trên cửa hàng này: cột Cửa hàng và bộ lọc cửa hàng trong danh sách sản phẩm sẽ hiện nó.</translation>
    </message>
    <message>
        <source>Its stock is not sent until it is linked to its item on the marketplace: list it in Seller Center with the same SKUs, then Fetch listings in Settings → Sales channels (its first synced order there links it too).</source>
        <translation>Tồn kho chưa được gửi cho đến khi sản phẩm được liên kết với sản phẩm trên sàn: hãy đăng bán trong Kênh Người Bán với cùng mã SKU, rồi Lấy sản phẩm đang bán trong Cài đặt → Kênh bán hàng (đơn hàng đầu tiên được đồng bộ từ sàn cũng sẽ liên kết nó).</translation>
    </message>
    <message>
        <source>Weight (g)</source>
        <translation>Khối lượng (g)</translation>
    </message>
    <message>
        <source>e.g. Cotton T-shirt</source>
        <translation>ví dụ: Áo thun cotton</translation>
    </message>
    <message>
        <source>e.g. Red, Blue</source>
        <translation>ví dụ: Đỏ, Xanh</translation>
    </message>
    <message>
        <source>One item, packed. A parcel weighs the sum of its items (500 g for an item with no weight).</source>
        <translation>Một sản phẩm đã đóng gói. Kiện hàng nặng bằng tổng các sản phẩm trong đó (500 g cho sản phẩm chưa có khối lượng).</translation>
    </message>
    <message>
        <source>linked</source>
        <translation>đã liên kết</translation>
    </message>
    <message>
        <source>Item %1 on the marketplace: stock changes are sent there.</source>
        <translation>Sản phẩm %1 trên sàn: thay đổi tồn kho được gửi lên sàn.</translation>
    </message>
    <message>
        <source>not linked yet</source>
        <translation>chưa liên kết</translation>
    </message>
    <message>
        <source>Edit product — %1</source>
        <translation>Sửa sản phẩm — %1</translation>
    </message>
    <message>
        <source>Add images</source>
        <translation>Thêm hình ảnh</translation>
    </message>
    <message>
        <source>Images (%1)</source>
        <translation>Hình ảnh (%1)</translation>
    </message>
    <message>
        <source>%1 is already among the images: not added again.</source>
        <translation>%1 đã có trong danh sách ảnh: không thêm lần nữa.</translation>
    </message>
    <message>
        <source>At most %1 images per product: %2 not added.</source>
        <translation>Mỗi sản phẩm tối đa %1 ảnh: chưa thêm %2.</translation>
    </message>
    <message>
        <source>Give the values of %1, separated by commas.</source>
        <translation>Nhập các giá trị của %1, cách nhau bằng dấu phẩy.</translation>
    </message>
    <message>
        <source>These variants are removed when you save:
%1

One sold or listed before stays, inactive, with its stock and its history, but is no longer sold nor counted in the product&apos;s stock; the others are deleted with their stock. Remove these variants?</source>
        <translation>Các phân loại này sẽ bị xóa khi lưu:
%1

Phân loại đã bán hoặc đã đăng bán được giữ lại ở trạng thái ngừng bán, cùng tồn kho và lịch sử, nhưng không còn được bán và không tính vào tồn kho của sản phẩm; các phân loại khác bị xóa cùng tồn kho. Xóa các phân loại này?</translation>
    </message>
    <message>
        <source>stock %1</source>
        <translation>tồn %1</translation>
    </message>
    <message>
        <source>%1 held for open orders</source>
        <translation>%1 đang giữ cho đơn chưa xong</translation>
    </message>
    <message>
        <source>sold or listed before</source>
        <translation>đã bán hoặc đã đăng bán trước đây</translation>
    </message>
    <message>
        <source>… and %1 more</source>
        <translation>… và %1 phân loại khác</translation>
    </message>
    <message>
        <source>These variants are not in the new list and are removed when you save (one sold or listed before is kept inactive, with its stock, for its history):
%1

To rename a value, change it in its place in the list. Remove these variants?</source>
        <translation>Các phân loại này không có trong danh sách mới và sẽ bị xóa khi lưu (phân loại đã bán hoặc đã đăng bán được giữ lại ở trạng thái ngừng bán, cùng tồn kho, để lưu lịch sử):
%1

Muốn đổi tên một giá trị, hãy sửa ngay tại chỗ trong danh sách. Xóa các phân loại này?</translation>
    </message>
    <message>
        <source>Remove variants</source>
        <translation>Xóa phân loại</translation>
    </message>
    <message>
        <source>%1 available, level %2</source>
        <translation>có thể bán %1, ngưỡng %2</translation>
    </message>
    <message>
        <source>%1 available</source>
        <translation>có thể bán %1</translation>
    </message>
    <message>
        <source>Out of stock: %1</source>
        <translation>Hết hàng: %1</translation>
    </message>
    <message>
        <source>Low on stock: %1</source>
        <translation>Sắp hết hàng: %1</translation>
    </message>
    <message>
        <source>Shared with SKU group %1</source>
        <translation>Dùng chung tồn kho với nhóm SKU %1</translation>
    </message>
    <message>
        <source>%1 is not a number.</source>
        <translation>“%1” không phải là số.</translation>
    </message>
    <message>
        <source>Type the product name (or a base SKU) first: the SKUs are made from it.</source>
        <translation>Hãy nhập tên sản phẩm (hoặc SKU gốc) trước: SKU được tạo từ đó.</translation>
    </message>
    <message>
        <source>Variant %1</source>
        <translation>Phân loại %1</translation>
    </message>
    <message>
        <source>%1: give its %2.</source>
        <translation>%1: hãy nhập %2.</translation>
    </message>
    <message>
        <source>%1: %2 is not a number.</source>
        <translation>%1: “%2” không phải là số.</translation>
    </message>
    <message>
        <source>Give the product a name.</source>
        <translation>Hãy đặt tên cho sản phẩm.</translation>
    </message>
    <message>
        <source>The name is %1 characters long; at most %2 are allowed.</source>
        <translation>Tên dài %1 ký tự; tối đa %2 ký tự.</translation>
    </message>
    <message>
        <source>Fields to correct (in red): %1</source>
        <translation>Cần sửa (tô đỏ): %1 chỗ</translation>
    </message>
    <message>
        <source>Fill in SKUs (above the grid) makes the missing ones from the product name.</source>
        <translation>Bấm “Tạo SKU” (phía trên bảng) để tạo các SKU còn thiếu từ tên sản phẩm.</translation>
    </message>
    <message>
        <source>Saving the product</source>
        <translation>Đang lưu sản phẩm</translation>
    </message>
    <message>
        <source>Close the product</source>
        <translation>Đóng sản phẩm</translation>
    </message>
    <message>
        <source>Your changes are not saved. Close and lose them?</source>
        <translation>Thay đổi của bạn chưa được lưu. Đóng và bỏ các thay đổi?</translation>
    </message>
</context>
<context>
    <name>ProductListPage</name>
    <message>
        <source>No products match the search and the filters.</source>
        <extracomment>&quot;Add product&quot; was clicked. A product should open in the editor (double-click or Enter on its row). Export: a list of the selected product ids, or None for the current filter/search. &quot;Import&quot; was clicked. The context menu&apos;s &quot;Stock in/out…&quot; on a product. Stock in/out of one variant of a product (its low one): (product id, variant id). &quot;Receive goods…&quot;: a goods receipt of what of these products is low (ids). The context menu&apos;s &quot;Stock history&quot; on a product. &quot;Print labels&quot; on the selected products (or the context menu&apos;s product): their ids. &quot;Order&quot; on the selected products (or the context menu&apos;s product): their ids. Change prices of these products (ids). Show the scheduled price changes.</extracomment>
        <translation>Không có sản phẩm nào khớp với tìm kiếm và bộ lọc.</translation>
    </message>
    <message>
        <source>No products yet: add one with Add product, or import a file.</source>
        <translation>Chưa có sản phẩm: thêm bằng nút Thêm sản phẩm, hoặc nhập tệp.</translation>
    </message>
</context>
<context>
    <name>ProductsPage</name>
    <message>
        <source>Products in %1: %2 new, %3 updated, %4 unchanged, %5 rejected. Variants: %6 new, %7 updated. Stock changes: %8.</source>
        <translation>Sản phẩm trong %1: %2 mới, %3 cập nhật, %4 không đổi, %5 bị từ chối. Phân loại: %6 mới, %7 cập nhật. Thay đổi tồn kho: %8.</translation>
    </message>
    <message>
        <source>Columns not recognised, ignored: %1</source>
        <translation>Cột không nhận ra, đã bỏ qua: %1</translation>
    </message>
    <message>
        <source>Row %1: %2</source>
        <translation>Dòng %1: %2</translation>
    </message>
    <message>
        <source>Export products</source>
        <extracomment>The Purchase orders, Goods receipts and Suppliers sub-tabs. The goods receipt &quot;Receive goods…&quot; opened last.</extracomment>
        <translation>Xuất sản phẩm</translation>
    </message>
    <message>
        <source>Exporting products</source>
        <translation>Đang xuất sản phẩm</translation>
    </message>
    <message>
        <source>%1 rows exported to %2.</source>
        <translation>Đã xuất %1 dòng ra %2.</translation>
    </message>
    <message>
        <source>Export finished</source>
        <translation>Đã xuất xong</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Mở thư mục</translation>
    </message>
    <message>
        <source>Import products</source>
        <translation>Nhập sản phẩm</translation>
    </message>
    <message>
        <source>Products file (*.xlsx *.csv *.txt)</source>
        <translation>Tệp sản phẩm (*.xlsx *.csv *.txt)</translation>
    </message>
    <message>
        <source>Importing products</source>
        <translation>Đang nhập sản phẩm</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>SKU groups</source>
        <translation>Nhóm SKU</translation>
    </message>
    <message>
        <source>Stock-take</source>
        <translation>Kiểm kho</translation>
    </message>
    <message>
        <source>Purchase orders</source>
        <translation>Đặt hàng nhập</translation>
    </message>
    <message>
        <source>Goods receipts</source>
        <translation>Nhập hàng</translation>
    </message>
    <message>
        <source>Suppliers</source>
        <translation>Nhà cung cấp</translation>
    </message>
</context>
<context>
    <name>PurchaseOrderDialog</name>
    <message>
        <source>Change %1</source>
        <extracomment>Room a window&apos;s title bar takes besides its title (icon, minimise, maximise, close). The list&apos;s columns that give up width in a narrow window, down to their titles. The state filter&apos;s choices: open ones (the default), all, then each state.</extracomment>
        <translation>Sửa %1</translation>
    </message>
    <message>
        <source>New purchase order</source>
        <translation>Đơn đặt hàng nhập mới</translation>
    </message>
    <message>
        <source>who the goods are ordered from</source>
        <translation>đặt hàng của ai</translation>
    </message>
    <message>
        <source>optional: terms, delivery, contact…</source>
        <translation>không bắt buộc: điều khoản, giao hàng, liên hệ…</translation>
    </message>
    <message>
        <source>&amp;Expected on</source>
        <translation>&amp;Hẹn giao ngày</translation>
    </message>
    <message>
        <source>Add what is low on stock</source>
        <translation>Thêm hàng sắp hết</translation>
    </message>
    <message>
        <source>Add the supplier&apos;s products that are low on stock now: each brought up to twice its low-stock level, less what is on order already, at the last cost it charged</source>
        <translation>Thêm các sản phẩm của nhà cung cấp này đang sắp hết hàng: mỗi mã được bù lên gấp đôi mức tồn tối thiểu, trừ phần đã đặt, theo giá vốn lần nhập gần nhất</translation>
    </message>
    <message>
        <source>Add the lines of a list (.xlsx or .csv with the columns sku, quantity and, optionally, unit_cost)</source>
        <translation>Thêm các dòng từ một danh sách (.xlsx hoặc .csv có các cột sku, quantity và, nếu có, unit_cost)</translation>
    </message>
    <message>
        <source>Save the order (Ctrl+S)</source>
        <translation>Lưu đơn đặt hàng (Ctrl+S)</translation>
    </message>
    <message>
        <source>New supplier: added when the order is saved</source>
        <translation>Nhà cung cấp mới: được thêm khi lưu đơn</translation>
    </message>
    <message>
        <source>Discard your changes to %1?</source>
        <translation>Bỏ các thay đổi của đơn %1?</translation>
    </message>
    <message>
        <source>Discard what you typed on this order?</source>
        <translation>Bỏ những gì đã nhập trên đơn đặt hàng nhập này?</translation>
    </message>
    <message>
        <source>Discard this order&apos;s %n line?</source>
        <translation>Bỏ %n dòng của đơn đặt hàng nhập này?</translation>
    </message>
    <message>
        <source>Discard this order&apos;s %n lines?</source>
        <translation>Bỏ %n dòng của đơn đặt hàng nhập này?</translation>
    </message>
    <message>
        <source>Scan or search the products to order.</source>
        <translation>Quét hoặc tìm các sản phẩm cần đặt.</translation>
    </message>
    <message>
        <source>Name the supplier the goods are ordered from.</source>
        <translation>Hãy ghi tên nhà cung cấp nhận đơn đặt hàng.</translation>
    </message>
    <message>
        <source>Name the supplier first: its products low on stock are added.</source>
        <translation>Hãy ghi tên nhà cung cấp trước: các sản phẩm sắp hết của nhà cung cấp đó sẽ được thêm vào.</translation>
    </message>
    <message>
        <source>None of the products %1 delivered is low on stock (or what is low is on order already).</source>
        <translation>Không có sản phẩm nào do %1 cung cấp đang sắp hết (hoặc hàng sắp hết đã được đặt rồi).</translation>
    </message>
    <message>
        <source>Saving the order</source>
        <translation>Đang lưu đơn đặt hàng</translation>
    </message>
</context>
<context>
    <name>PurchaseOrdersPage</name>
    <message>
        <source>No purchase orders awaiting goods: order goods from a supplier with New purchase order.</source>
        <extracomment>Goods were received against an order: stock and what is owed changed. Print labels for these variants (variant id → copies), after a receipt. The receipts made against the selected order: (code, when, cancelled). The search of the last read (what a read for a change made elsewhere runs). The list was read once: before, an empty table is no news (no hint). What was done last (saved, printed, copied …), on a line of its own under the buttons: in the row it took the search&apos;s and the state&apos;s room.</extracomment>
        <translation>Không có đơn đặt hàng nhập nào đang chờ hàng về: đặt hàng nhà cung cấp bằng nút Đơn đặt hàng nhập mới.</translation>
    </message>
    <message>
        <source>No purchase orders yet: order goods from a supplier with New purchase order.</source>
        <translation>Chưa có đơn đặt hàng nhập: đặt hàng nhà cung cấp bằng nút Đơn đặt hàng nhập mới.</translation>
    </message>
    <message>
        <source>No purchase orders in this state.</source>
        <translation>Không có đơn đặt hàng nhập nào ở trạng thái này.</translation>
    </message>
    <message>
        <source>No purchase orders match the search.</source>
        <translation>Không có đơn đặt hàng nhập nào khớp với tìm kiếm.</translation>
    </message>
    <message>
        <source>Search by code, supplier, note or SKU</source>
        <translation>Tìm theo mã, nhà cung cấp, ghi chú hoặc SKU</translation>
    </message>
    <message>
        <source>Open (awaiting goods)</source>
        <translation>Đang chờ hàng về</translation>
    </message>
    <message>
        <source>All orders</source>
        <translation>Tất cả đơn</translation>
    </message>
    <message>
        <source>New purchase order</source>
        <translation>Đặt hàng nhập</translation>
    </message>
    <message>
        <source>Receive goods…</source>
        <translation>Nhập hàng…</translation>
    </message>
    <message>
        <source>A goods receipt against the selected order: its lines are what is still to come (double-click an order does the same)</source>
        <translation>Lập phiếu nhập theo đơn đang chọn: các dòng là hàng còn chờ về (nhấp đúp vào đơn cũng được)</translation>
    </message>
    <message>
        <source>Change…</source>
        <translation>Sửa…</translation>
    </message>
    <message>
        <source>Change the selected order (supplier, lines, expected day, note) before any of it comes</source>
        <translation>Sửa đơn đang chọn (nhà cung cấp, các dòng, ngày hẹn giao, ghi chú) trước khi hàng về</translation>
    </message>
    <message>
        <source>Close…</source>
        <translation>Kết thúc…</translation>
    </message>
    <message>
        <source>Order again…</source>
        <translation>Đặt lại…</translation>
    </message>
    <message>
        <source>A new order of the same goods from the same supplier: the selected order&apos;s lines as they were ordered, to change before saving</source>
        <translation>Một đơn mới đặt lại chính những hàng này từ cùng nhà cung cấp: các dòng của đơn đang chọn như lúc đặt, có thể sửa trước khi lưu</translation>
    </message>
    <message>
        <source>End the selected order, partly received: the rest will not come</source>
        <translation>Kết thúc đơn đang chọn đã nhận một phần: phần còn lại sẽ không về</translation>
    </message>
    <message>
        <source>Cancel order…</source>
        <translation>Hủy đơn…</translation>
    </message>
    <message>
        <source>Cancel the selected order (nothing of it came)</source>
        <translation>Hủy đơn đang chọn (chưa nhận hàng nào)</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>In</translation>
    </message>
    <message>
        <source>The selected order as a document to send to the supplier (on the invoice&apos;s printer and paper)</source>
        <translation>In đơn đang chọn để gửi nhà cung cấp (trên máy in và khổ giấy của hóa đơn)</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Xuất Excel</translation>
    </message>
    <message>
        <source>Export the lines of the orders listed (every one that matches the state and the search) to Excel</source>
        <translation>Xuất các dòng của những đơn đang liệt kê (mọi đơn khớp trạng thái và từ khóa tìm) ra Excel</translation>
    </message>
    <message>
        <source>Print the purchase order</source>
        <translation>In đơn đặt hàng</translation>
    </message>
    <message>
        <source>Save as PDF…</source>
        <translation>Lưu thành PDF…</translation>
    </message>
    <message>
        <source>Copy as text (to send by Zalo, Messenger…)</source>
        <translation>Sao chép nội dung (để gửi qua Zalo, Messenger…)</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Mã đơn</translation>
    </message>
    <message>
        <source>Ordered</source>
        <translation>Ngày đặt</translation>
    </message>
    <message>
        <source>Supplier</source>
        <translation>Nhà cung cấp</translation>
    </message>
    <message>
        <source>Expected</source>
        <translation>Hẹn giao</translation>
    </message>
    <message>
        <source>Lines</source>
        <translation>Số dòng</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>Số lượng</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Đã nhận</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>Tiền hàng</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Ordered by</source>
        <translation>Người đặt</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Qty ordered</source>
        <translation>SL đặt</translation>
    </message>
    <message>
        <source>To come</source>
        <translation>Chờ về</translation>
    </message>
    <message>
        <source>Unit cost</source>
        <translation>Giá nhập</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Thành tiền</translation>
    </message>
    <message>
        <source>Expected on %1: not all of it came</source>
        <translation>Hẹn giao %1: chưa về đủ</translation>
    </message>
    <message>
        <source>%n order</source>
        <translation>%n đơn</translation>
    </message>
    <message>
        <source>%n orders</source>
        <translation>%n đơn</translation>
    </message>
    <message>
        <source>the newest %1</source>
        <translation>%1 mới nhất</translation>
    </message>
    <message>
        <source>Lines of %1</source>
        <translation>Các dòng của %1</translation>
    </message>
    <message>
        <source>received with %1</source>
        <translation>đã nhận theo %1</translation>
    </message>
    <message>
        <source>%1 (%2 over)</source>
        <translation>%1 (thừa %2)</translation>
    </message>
    <message>
        <source>%1 returned</source>
        <translation>trả %1</translation>
    </message>
    <message>
        <source>None of these products is low on stock (or what is low is on order already): one of each is added, change the quantities.</source>
        <translation>Không sản phẩm nào trong số này sắp hết hàng (hoặc hàng sắp hết đã được đặt): mỗi loại được thêm 1, hãy sửa số lượng.</translation>
    </message>
    <message>
        <source>%1 saved</source>
        <translation>Đã lưu %1</translation>
    </message>
    <message>
        <source>%1 received</source>
        <translation>Đã nhập %1</translation>
    </message>
    <message>
        <source>Close %1</source>
        <translation>Kết thúc %1</translation>
    </message>
    <message>
        <source>%1 units will not come. Why?</source>
        <translation>%1 sản phẩm sẽ không về. Lý do?</translation>
    </message>
    <message>
        <source>Cancel %1</source>
        <translation>Hủy %1</translation>
    </message>
    <message>
        <source>Why is the order cancelled?</source>
        <translation>Lý do hủy đơn?</translation>
    </message>
    <message>
        <source>Printing…</source>
        <translation>Đang in…</translation>
    </message>
    <message>
        <source>Printing the purchase order</source>
        <translation>Đang in đơn đặt hàng</translation>
    </message>
    <message>
        <source>%1 copied: paste it into the chat with the supplier</source>
        <translation>Đã sao chép %1: dán vào khung chat với nhà cung cấp</translation>
    </message>
    <message>
        <source>Save the purchase order as PDF</source>
        <translation>Lưu đơn đặt hàng thành PDF</translation>
    </message>
    <message>
        <source>Printed to %1</source>
        <translation>Đã in ra %1</translation>
    </message>
    <message>
        <source>Export purchase orders</source>
        <translation>Xuất đơn đặt hàng nhập</translation>
    </message>
    <message>
        <source>Exporting purchase orders</source>
        <translation>Đang xuất đơn đặt hàng nhập</translation>
    </message>
    <message>
        <source>%n line</source>
        <translation>%n dòng</translation>
    </message>
    <message>
        <source>%n lines</source>
        <translation>%n dòng</translation>
    </message>
</context>
<context>
    <name>QMessageBox</name>
    <message>
        <source>Show Details...</source>
        <extracomment>The details button&apos;s words: Qt&apos;s own, which its catalogue has no Vietnamese for.</extracomment>
        <translation>Xem chi tiết...</translation>
    </message>
    <message>
        <source>Hide Details...</source>
        <translation>Ẩn chi tiết...</translation>
    </message>
</context>
<context>
    <name>RangeBar</name>
    <message>
        <source>Today</source>
        <extracomment>Asked each time: a shop PC stays open past midnight, and &quot;Today&quot; moves with it.</extracomment>
        <translation>Hôm nay</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Hôm qua</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>7 ngày qua</translation>
    </message>
    <message>
        <source>This week</source>
        <translation>Tuần này</translation>
    </message>
    <message>
        <source>Last week</source>
        <translation>Tuần trước</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>30 ngày qua</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>Tháng này</translation>
    </message>
    <message>
        <source>Last month</source>
        <translation>Tháng trước</translation>
    </message>
    <message>
        <source>This year</source>
        <translation>Năm nay</translation>
    </message>
    <message>
        <source>Custom range</source>
        <translation>Tùy chọn</translation>
    </message>
    <message>
        <source>A range is at most %1 days: the other date follows the one you choose.</source>
        <translation>Khoảng ngày dài tối đa %1 ngày: ngày còn lại tự đổi theo ngày bạn chọn.</translation>
    </message>
</context>
<context>
    <name>RankPanel</name>
    <message>
        <source>Skip automatic update (keep this rank and level)</source>
        <extracomment>The rank history&apos;s reason column (&quot;10,391,400 VND ≥ 10,000,000 VND&quot;). The rank, group or pin changed (the list and the header refresh).</extracomment>
        <translation>Không tự động cập nhật (giữ hạng và nhóm hiện tại)</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>Hạng</translation>
    </message>
    <message>
        <source>Customer group</source>
        <translation>Nhóm khách hàng</translation>
    </message>
    <message>
        <source>Given by hand: the customer is pinned to it (the nightly recompute and the automatic group upgrade leave them alone until you untick “Skip automatic update”).</source>
        <translation>Đặt thủ công: khách được giữ cố định (việc tính lại hạng hằng đêm và tự động nâng nhóm sẽ bỏ qua khách cho đến khi bạn bỏ chọn “Không tự động cập nhật”).</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Từ hạng</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Sang hạng</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Lý do</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Thực hiện</translation>
    </message>
    <message>
        <source>orders</source>
        <translation>đơn</translation>
    </message>
    <message>
        <source>%1 — set by hand on %2</source>
        <translation>%1 — đặt thủ công ngày %2</translation>
    </message>
    <message>
        <source>%1 — set by hand by %2 on %3</source>
        <translation>%1 — %2 đặt thủ công ngày %3</translation>
    </message>
    <message>
        <source>set by hand</source>
        <translation>đặt thủ công</translation>
    </message>
    <message>
        <source>%1 since %2 — %3 ≥ %4</source>
        <translation>%1 từ %2 — %3 ≥ %4</translation>
    </message>
    <message>
        <source>%1: no rank change recorded yet</source>
        <translation>%1: chưa có lần đổi hạng nào được ghi lại</translation>
    </message>
    <message>
        <source>Nightly recompute</source>
        <translation>Tính lại hằng đêm</translation>
    </message>
    <message>
        <source>No group</source>
        <translation>Không thuộc nhóm nào</translation>
    </message>
    <message>
        <source>Rank given by hand: %1.</source>
        <translation>Đã đặt hạng thủ công: %1.</translation>
    </message>
    <message>
        <source>Group given by hand: %1.</source>
        <translation>Đã đặt nhóm thủ công: %1.</translation>
    </message>
    <message>
        <source>Pinned: the recompute leaves this customer alone.</source>
        <translation>Đã ghim: khi tính lại sẽ bỏ qua khách hàng này.</translation>
    </message>
    <message>
        <source>The recompute updates this customer again.</source>
        <translation>Khi tính lại sẽ cập nhật khách hàng này như bình thường.</translation>
    </message>
    <message>
        <source>Saving</source>
        <translation>Đang lưu</translation>
    </message>
</context>
<context>
    <name>RankingSettings</name>
    <message>
        <source>Customer ranking</source>
        <extracomment>The order counts&apos; spin boxes&apos; top: Qt spin boxes hold 32-bit values. The rank table&apos;s column of the customers per rank after the last dry run. What `refresh` reads: the conditions, the customers per rank, the last recompute. Customers per rank; None when the user may not see customers. The last dry run, while its figures stand (the table&apos;s &quot;After the dry run&quot;). When ranks were last recomputed for real (the counts are from then). The running recompute uses conditions other than the saved ones.</extracomment>
        <translation>Xếp hạng khách hàng</translation>
    </message>
    <message>
        <source>Rank: automatic, by what each customer spends (or their successful orders). It does not change prices: the customer group does (Customer groups &amp; price levels).</source>
        <translation>Hạng: tự động theo chi tiêu (hoặc số đơn thành công) của từng khách. Hạng không làm đổi giá bán: nhóm khách hàng mới quyết định giá (Nhóm khách hàng &amp; bảng giá).</translation>
    </message>
    <message>
        <source>Only the owner or a manager changes the rank conditions.</source>
        <translation>Chỉ chủ cửa hàng hoặc quản lý được thay đổi điều kiện xếp hạng.</translation>
    </message>
    <message>
        <source>Rank by</source>
        <translation>Xếp hạng theo</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>Tính trong</translation>
    </message>
    <message>
        <source>Total spent (VND)</source>
        <translation>Tổng chi tiêu (₫)</translation>
    </message>
    <message>
        <source>Successful orders</source>
        <translation>Đơn thành công</translation>
    </message>
    <message>
        <source>All time</source>
        <translation>Toàn bộ thời gian</translation>
    </message>
    <message>
        <source>The last 12 months</source>
        <translation>12 tháng gần nhất</translation>
    </message>
    <message>
        <source>%1 from</source>
        <translation>%1 từ</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>Hạng</translation>
    </message>
    <message>
        <source>From (saved)</source>
        <translation>Từ (đã lưu)</translation>
    </message>
    <message>
        <source>Customers now</source>
        <translation>Số khách hiện tại</translation>
    </message>
    <message>
        <source>After the dry run</source>
        <translation>Sau khi chạy thử</translation>
    </message>
    <message>
        <source>Save conditions</source>
        <translation>Lưu điều kiện</translation>
    </message>
    <message>
        <source>Dry run</source>
        <translation>Chạy thử</translation>
    </message>
    <message>
        <source>Recompute now</source>
        <translation>Tính lại ngay</translation>
    </message>
    <message>
        <source>Cannot read “%1” as an amount: type e.g. 5000000, 500k or 1,5tr.</source>
        <translation>Không đọc được “%1” thành số tiền: gõ ví dụ 5000000, 500k hoặc 1,5tr.</translation>
    </message>
    <message>
        <source>The default conditions: never changed.</source>
        <translation>Điều kiện mặc định: chưa thay đổi lần nào.</translation>
    </message>
    <message>
        <source>Conditions last changed at %1 by %2.</source>
        <translation>Điều kiện được %2 thay đổi lần cuối lúc %1.</translation>
    </message>
    <message>
        <source>Into %3: %1 would move up, %2 down.</source>
        <translation>Vào hạng %3: %1 khách lên, %2 khách xuống.</translation>
    </message>
    <message>
        <source>orders</source>
        <translation>đơn</translation>
    </message>
    <message>
        <source>The customer counts are the ranks of the last recompute: the conditions were changed after it. They follow at the next recompute (tonight at 23:59, or Recompute now).</source>
        <translation>Số khách là hạng của lần tính lại gần nhất; điều kiện đã được đổi sau lần đó. Số khách sẽ theo điều kiện mới ở lần tính lại tiếp theo (23:59 tối nay, hoặc bấm Tính lại ngay).</translation>
    </message>
    <message>
        <source>Saving the rank conditions</source>
        <translation>Đang lưu điều kiện xếp hạng</translation>
    </message>
    <message>
        <source>Saved. The ranks follow at the next recompute (tonight at 23:59, or Recompute now).</source>
        <translation>Đã lưu. Hạng khách hàng sẽ cập nhật ở lần tính lại tiếp theo (23:59 tối nay, hoặc bấm Tính lại ngay).</translation>
    </message>
    <message>
        <source>Recomputing…</source>
        <translation>Đang tính lại…</translation>
    </message>
    <message>
        <source>Recomputing customer ranks</source>
        <translation>Đang tính lại hạng khách hàng</translation>
    </message>
    <message>
        <source>Recompute cancelled: no rank was changed.</source>
        <translation>Đã hủy tính lại hạng: không có hạng nào bị thay đổi.</translation>
    </message>
    <message>
        <source>Dry run with the conditions on screen (not saved): %1 customers would move up, %2 down; nothing was changed.</source>
        <translation>Chạy thử với điều kiện đang hiện (chưa lưu): %1 khách hàng sẽ lên hạng, %2 xuống hạng; chưa có gì thay đổi.</translation>
    </message>
    <message>
        <source>Dry run: %1 customers would move up, %2 down; nothing was changed.</source>
        <translation>Chạy thử: %1 khách hàng sẽ lên hạng, %2 xuống hạng; chưa có gì thay đổi.</translation>
    </message>
    <message>
        <source>Done with the saved conditions (the changes on screen are not saved): %1 customers moved up, %2 down.</source>
        <translation>Xong, theo điều kiện đã lưu (thay đổi đang hiện chưa được lưu): %1 khách hàng lên hạng, %2 xuống hạng.</translation>
    </message>
    <message>
        <source>Done: %1 customers moved up, %2 down.</source>
        <translation>Xong: %1 khách hàng lên hạng, %2 xuống hạng.</translation>
    </message>
    <message>
        <source>%1 move up a level.</source>
        <translation>%1 lên một hạng.</translation>
    </message>
</context>
<context>
    <name>ReceivePaymentDialog</name>
    <message>
        <source>Receive payment from %1</source>
        <extracomment>What the customer owes (the figure). Paid in advance (the shop owes the customer). The entries table&apos;s columns.</extracomment>
        <translation>Thu nợ của %1</translation>
    </message>
    <message>
        <source>Receive payment</source>
        <translation>Thu nợ</translation>
    </message>
    <message>
        <source>Owes now</source>
        <translation>Đang nợ</translation>
    </message>
    <message>
        <source>&amp;Amount received</source>
        <translation>&amp;Số tiền thu</translation>
    </message>
    <message>
        <source>&amp;Method</source>
        <translation>&amp;Hình thức</translation>
    </message>
    <message>
        <source>&amp;Note</source>
        <translation>&amp;Ghi chú</translation>
    </message>
    <message>
        <source>e.g. 500.000</source>
        <translation>ví dụ 500.000</translation>
    </message>
    <message>
        <source>optional: transfer reference, who paid…</source>
        <translation>không bắt buộc: mã chuyển khoản, người trả…</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Type the amount received as an amount of money, e.g. 500.000.</source>
        <translation>Nhập số tiền thu, ví dụ 500.000.</translation>
    </message>
    <message>
        <source>The amount received must be 1 to %1.</source>
        <translation>Số tiền thu phải từ 1 đến %1.</translation>
    </message>
    <message>
        <source>That is %1 more than is owed.</source>
        <translation>Nhiều hơn số nợ %1.</translation>
    </message>
    <message>
        <source>Owes after: %1</source>
        <translation>Còn nợ sau khi thu: %1</translation>
    </message>
    <message>
        <source>Receiving the payment</source>
        <translation>Đang thu nợ</translation>
    </message>
</context>
<context>
    <name>RecoveryDialog</name>
    <message>
        <source>Forgot your password?</source>
        <translation>Quên mật khẩu?</translation>
    </message>
    <message>
        <source>Staff: ask the shop owner or a manager for a new one-time password (Settings → Staff → Reset password…). Managers: ask the shop owner.</source>
        <translation>Nhân viên: nhờ chủ cửa hàng hoặc quản lý cấp mật khẩu dùng một lần mới (Cài đặt → Nhân viên → Đặt lại mật khẩu…). Quản lý: nhờ chủ cửa hàng.</translation>
    </message>
    <message>
        <source>The owner: on this computer, run this command in a terminal (Command Prompt on Windows):</source>
        <translation>Chủ cửa hàng: trên chính máy tính này, chạy lệnh sau trong cửa sổ dòng lệnh (Command Prompt trên Windows):</translation>
    </message>
    <message>
        <source>Your email</source>
        <translation>Email của bạn</translation>
    </message>
    <message>
        <source>It prints a one-time password. Sign in with it, then choose a new password.</source>
        <translation>Lệnh sẽ in ra một mật khẩu dùng một lần. Đăng nhập bằng mật khẩu đó rồi đặt mật khẩu mới.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Copy command</source>
        <translation>Sao chép lệnh</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Đã sao chép</translation>
    </message>
</context>
<context>
    <name>ReturnDialog</name>
    <message>
        <source>Exchange items of order %1</source>
        <extracomment>Columns of the lines table: the quantities returned, then how many go back to stock. The spin box columns&apos; widths (the box and a little air around it); Back to stock&apos;s a little narrower, leaving the product names room at the dialog&apos;s smallest. The table shows this many lines at most without scrolling (the dialog grows to fit). How a counter sale&apos;s refund can go back (not COD nor on account: those are no money handed over at the counter). What the returned items are worth to the customer (the refund). {order line id: quantity coming back}. {order line id: how many of its returned units go back on sale} (the rest are written off; a line left out: all of them back). Exchange mode, once OK worked: what comes back (the sale screen does the rest). Order line id → its &quot;Return qty&quot; spin box. Order line id → its &quot;Back to stock&quot; spin box (stock-tracked lines only); the ids set by hand (the others follow the quantity returned and the reason: a defective item is not put back on sale). The restock boxes are being set by the dialog, not by the user. What the service did, once OK worked.</extracomment>
        <translation>Đổi hàng của đơn %1</translation>
    </message>
    <message>
        <source>Choose what comes back and what it is worth; next, the items the customer takes instead. Nothing is saved until the exchange sale is.</source>
        <translation>Chọn hàng khách trả lại và giá trị được trừ; tiếp theo là hàng khách lấy thay. Chưa có gì được lưu cho đến khi lưu đơn đổi hàng.</translation>
    </message>
    <message>
        <source>Return items of order %1</source>
        <translation>Trả hàng của đơn %1</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Danh sách sản phẩm</translation>
    </message>
    <message>
        <source>Return everything</source>
        <translation>Trả tất cả</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Unit price</source>
        <translation>Đơn giá</translation>
    </message>
    <message>
        <source>Can return</source>
        <translation>Có thể trả</translation>
    </message>
    <message>
        <source>Return qty</source>
        <translation>SL trả</translation>
    </message>
    <message>
        <source>Back to stock</source>
        <translation>Nhập lại kho</translation>
    </message>
    <message>
        <source>Back to stock: how many of the items returned can be sold again; the others (defective) are written off. The refund is recorded on the order. When every item is back the order becomes Returned.</source>
        <translation>“Nhập lại kho”: số hàng trả về còn bán lại được; số còn lại (hàng lỗi) được xuất hủy. Tiền hoàn được ghi vào đơn. Khi trả hết hàng, đơn chuyển sang “Đã trả hàng”.</translation>
    </message>
    <message>
        <source>How many of the items returned can be sold again; the others are written off, not put back in stock.</source>
        <translation>Số hàng trả về còn bán lại được; số còn lại được xuất hủy, không nhập lại kho.</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>&amp;Lý do</translation>
    </message>
    <message>
        <source>Re&amp;fund</source>
        <translation>&amp;Hoàn tiền</translation>
    </message>
    <message>
        <source>&amp;Worth</source>
        <translation>&amp;Giá trị trừ</translation>
    </message>
    <message>
        <source>Use suggested</source>
        <translation>Dùng số gợi ý</translation>
    </message>
    <message>
        <source>Refund &amp;by</source>
        <translation>Hoàn tiền &amp;bằng</translation>
    </message>
    <message>
        <source>Next: new items</source>
        <translation>Tiếp: chọn hàng mới</translation>
    </message>
    <message>
        <source>Return and refund</source>
        <translation>Trả hàng và hoàn tiền</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Defective</source>
        <translation>Hàng lỗi</translation>
    </message>
    <message>
        <source>Wrong item</source>
        <translation>Giao sai hàng</translation>
    </message>
    <message>
        <source>Customer changed their mind</source>
        <translation>Khách đổi ý</translation>
    </message>
    <message>
        <source>Choose or type why the items come back</source>
        <translation>Chọn hoặc nhập lý do trả hàng</translation>
    </message>
    <message>
        <source>%1 (%2 already returned)</source>
        <translation>%1 (đã trả %2)</translation>
    </message>
    <message>
        <source>Choose at least one item to return.</source>
        <translation>Chọn ít nhất một sản phẩm để trả.</translation>
    </message>
    <message>
        <source>Type the refund as an amount of money, e.g. 150.000.</source>
        <translation>Nhập số tiền hoàn, ví dụ 150.000.</translation>
    </message>
    <message>
        <source>The refund must be between 0 and %1.</source>
        <translation>Số tiền hoàn phải từ 0 đến %1.</translation>
    </message>
    <message>
        <source>Say why the items come back.</source>
        <translation>Nhập lý do trả hàng.</translation>
    </message>
    <message>
        <source>suggested %1, at most %2</source>
        <translation>gợi ý %1, tối đa %2</translation>
    </message>
    <message>
        <source>%1 points paid on the order go back to the customer.</source>
        <translation>%1 điểm khách đã dùng cho đơn này sẽ được hoàn lại cho khách.</translation>
    </message>
    <message>
        <source>%1 points earned on the returned items are taken back from the customer.</source>
        <translation>%1 điểm khách đã tích từ các món trả lại sẽ bị trừ lại.</translation>
    </message>
    <message>
        <source>Returning items</source>
        <translation>Đang trả hàng</translation>
    </message>
</context>
<context>
    <name>SegmentsPage</name>
    <message>
        <source>New segment…</source>
        <extracomment>Item data role holding the row&apos;s id; the sort role holds the raw value. The name prompt&apos;s least width: its title (&quot;Tạo phân khúc&quot;) was cut to &quot;Tạo ph… khúc&quot; by the title bar&apos;s buttons in a dialog as narrow as its one-line field. After each load of the list. After a segment was created, renamed, deleted. A segment was double-clicked: show its members (segment id). Where the table was, read again for a change made elsewhere (`follow_changes`).</extracomment>
        <translation>Tạo phân khúc…</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>Đổi tên…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Xóa</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Xuất Excel…</translation>
    </message>
    <message>
        <source>Segment</source>
        <translation>Phân khúc</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>Số khách hàng</translation>
    </message>
    <message>
        <source>Successful orders</source>
        <translation>Đơn thành công</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Ngày tạo</translation>
    </message>
    <message>
        <source>Total spent</source>
        <translation>Tổng chi tiêu</translation>
    </message>
    <message>
        <source>No segments yet. A segment is a named list of customers you build, to find them again in the customer list or export them. Create one with New segment…, then add customers to it from the Customers list (select them, then Add to segment…).</source>
        <translation>Chưa có phân khúc nào. Phân khúc là danh sách khách hàng có tên do bạn tự lập, để tìm lại họ trong danh sách khách hàng hoặc xuất Excel. Tạo phân khúc bằng Tạo phân khúc…, rồi thêm khách hàng vào từ danh sách Khách hàng (chọn khách hàng, rồi bấm Thêm vào phân khúc…).</translation>
    </message>
    <message>
        <source>%n segment</source>
        <translation>%n phân khúc</translation>
    </message>
    <message>
        <source>%n segments</source>
        <translation>%n phân khúc</translation>
    </message>
    <message>
        <source>New segment</source>
        <translation>Tạo phân khúc</translation>
    </message>
    <message>
        <source>Segment name:</source>
        <translation>Tên phân khúc:</translation>
    </message>
    <message>
        <source>Rename segment</source>
        <translation>Đổi tên phân khúc</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>Tên mới:</translation>
    </message>
    <message>
        <source>Delete segment %1? Its %n customer stays; only the segment goes.</source>
        <translation>Xóa phân khúc %1? %n khách hàng trong phân khúc vẫn được giữ; chỉ phân khúc bị xóa.</translation>
    </message>
    <message>
        <source>Delete segment %1? Its %n customers stay; only the segment goes.</source>
        <translation>Xóa phân khúc %1? %n khách hàng trong phân khúc vẫn được giữ; chỉ phân khúc bị xóa.</translation>
    </message>
    <message>
        <source>Delete segment</source>
        <translation>Xóa phân khúc</translation>
    </message>
    <message>
        <source>Export segment</source>
        <translation>Xuất phân khúc</translation>
    </message>
    <message>
        <source>Exporting a segment</source>
        <translation>Đang xuất phân khúc</translation>
    </message>
    <message>
        <source>%n customer exported to %1.</source>
        <translation>Đã xuất %n khách hàng ra %1.</translation>
    </message>
    <message>
        <source>%n customers exported to %1.</source>
        <translation>Đã xuất %n khách hàng ra %1.</translation>
    </message>
    <message>
        <source>Export finished</source>
        <translation>Đã xuất xong</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Mở thư mục</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Low stock</source>
        <extracomment>The sections in display order: (key, module, widget class taking the ServiceContext). Each is imported and built the first time it is shown; its title is in `retranslate`. The order is DESIGN.md&apos;s (§ Settings), with the Shop details after My account (where a new owner looks for them), Vouchers beside Loyalty points and the Audit log last. The section list&apos;s narrowest width, and the room kept beside its longest title. My account saved the signed-in user&apos;s new details (the new Actor): the window&apos;s header and user menu follow. Shop details (or its tab in Printers &amp; templates) saved the shop details (the shop&apos;s name): the header follows. Sales channels&apos; Add shop chose to import a Seller Center export instead (no app). The sections refused when last chosen: their notice, shown in their place. Another tab was shown since: the section shown reads its data again on return.</extracomment>
        <translation>Sắp hết hàng</translation>
    </message>
    <message>
        <source>Sales channels</source>
        <translation>Kênh bán hàng</translation>
    </message>
    <message>
        <source>My account</source>
        <translation>Tài khoản của tôi</translation>
    </message>
    <message>
        <source>Shop details</source>
        <translation>Thông tin cửa hàng</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Nhân viên</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Ngôn ngữ</translation>
    </message>
    <message>
        <source>Backup &amp; restore</source>
        <translation>Sao lưu &amp; khôi phục</translation>
    </message>
    <message>
        <source>Sync schedule</source>
        <translation>Lịch đồng bộ</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>Nhật ký hoạt động</translation>
    </message>
    <message>
        <source>Printers &amp; templates</source>
        <translation>Máy in &amp; mẫu in</translation>
    </message>
    <message>
        <source>Customer ranking</source>
        <translation>Xếp hạng khách hàng</translation>
    </message>
    <message>
        <source>Customer groups &amp; price levels</source>
        <translation>Nhóm khách hàng &amp; bảng giá</translation>
    </message>
    <message>
        <source>Loyalty points</source>
        <translation>Điểm thưởng</translation>
    </message>
    <message>
        <source>Vouchers</source>
        <translation>Mã giảm giá</translation>
    </message>
    <message>
        <source>Logistics</source>
        <translation>Vận chuyển</translation>
    </message>
</context>
<context>
    <name>SetupPage</name>
    <message>
        <source>Set up your shop</source>
        <extracomment>The form&apos;s edits by the field names the services give in a ValidationError.</extracomment>
        <translation>Thiết lập cửa hàng</translation>
    </message>
    <message>
        <source>Create the shop and the owner account. You can add staff later in Settings.</source>
        <translation>Tạo cửa hàng và tài khoản chủ cửa hàng. Bạn có thể thêm nhân viên sau trong Cài đặt.</translation>
    </message>
    <message>
        <source>Shop name</source>
        <translation>Tên cửa hàng</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Địa chỉ</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Số điện thoại</translation>
    </message>
    <message>
        <source>Tax code</source>
        <translation>Mã số thuế</translation>
    </message>
    <message>
        <source>Your name</source>
        <translation>Họ tên của bạn</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Email</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Mật khẩu</translation>
    </message>
    <message>
        <source>Repeat password</source>
        <translation>Nhập lại mật khẩu</translation>
    </message>
    <message>
        <source>Optional: printed on receipts and invoices</source>
        <translation>Không bắt buộc: in trên hóa đơn</translation>
    </message>
    <message>
        <source>At least 8 characters</source>
        <translation>Ít nhất 8 ký tự</translation>
    </message>
    <message>
        <source>Keep this password safe: if you forget it, getting back in takes a command typed on this computer (Forgot your password? on the sign-in shows it).</source>
        <translation>Hãy giữ kỹ mật khẩu này: nếu quên, bạn phải gõ một lệnh trên máy tính này để vào lại (mục Quên mật khẩu? ở màn hình đăng nhập sẽ hướng dẫn).</translation>
    </message>
    <message>
        <source>Create shop</source>
        <translation>Tạo cửa hàng</translation>
    </message>
</context>
<context>
    <name>ShipmentDialog</name>
    <message>
        <source>Ship with carrier</source>
        <extracomment>The shipments table&apos;s columns (the carrier is in the code&apos;s tooltip: the card is narrow). Between a figure and its currency: the fee never wraps onto two lines. After each fee answer (the text shown), for tests and the status line. Each account&apos;s carrier (&quot;ghn&quot; / &quot;jnt&quot;): a J&amp;T one is given names, not the picker. The order&apos;s province, district and ward: the picker starts from them (loaded when a GHN account is first chosen: a J&amp;T-only shop has no GHN lists).</extracomment>
        <translation>Giao qua đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>Carrier account</source>
        <translation>Tài khoản vận chuyển</translation>
    </message>
    <message>
        <source>Recipient</source>
        <translation>Người nhận</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Số điện thoại</translation>
    </message>
    <message>
        <source>Street address</source>
        <translation>Số nhà, tên đường</translation>
    </message>
    <message>
        <source>Create shipment</source>
        <translation>Tạo vận đơn</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>Dịch vụ</translation>
    </message>
    <message>
        <source>Filled with the goods&apos; weight from the products (500 g for an item with none); type the parcel&apos;s own if you weighed it.</source>
        <translation>Lấy theo khối lượng của các sản phẩm (500 g cho sản phẩm chưa có khối lượng); nếu đã cân kiện hàng, hãy nhập khối lượng thực.</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>Khối lượng</translation>
    </message>
    <message>
        <source>Size (L × W × H)</source>
        <translation>Kích thước (D × R × C)</translation>
    </message>
    <message>
        <source>Cash on delivery</source>
        <translation>Tiền thu hộ (COD)</translation>
    </message>
    <message>
        <source>Insured value</source>
        <translation>Giá trị khai giá</translation>
    </message>
    <message>
        <source>Recipient may look, not try</source>
        <extracomment>Shipment statuses shown in the app&apos;s words (the carrier&apos;s own labels otherwise).</extracomment>
        <translation>Cho xem hàng, không cho thử</translation>
    </message>
    <message>
        <source>Recipient may try the goods</source>
        <translation>Cho thử hàng</translation>
    </message>
    <message>
        <source>No viewing before paying</source>
        <translation>Không cho xem hàng</translation>
    </message>
    <message>
        <source>Before paying</source>
        <translation>Lưu ý giao hàng</translation>
    </message>
    <message>
        <source>A note for the carrier (optional)</source>
        <translation>Ghi chú cho đơn vị vận chuyển (không bắt buộc)</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>Add a GHN or J&amp;T Express account in Settings → Logistics first.</source>
        <translation>Hãy thêm tài khoản GHN hoặc J&amp;T Express trong Cài đặt → Vận chuyển trước.</translation>
    </message>
    <message>
        <source>≈ %n item without a weight counted at 500 g</source>
        <translation>≈ %n sản phẩm chưa có khối lượng, tính 500 g</translation>
    </message>
    <message>
        <source>≈ %n items without a weight counted at 500 g each</source>
        <translation>≈ %n sản phẩm chưa có khối lượng, tính 500 g mỗi sản phẩm</translation>
    </message>
    <message>
        <source>Type the province and ward to see the fee.</source>
        <translation>Nhập tỉnh/thành phố và phường/xã để xem phí vận chuyển.</translation>
    </message>
    <message>
        <source>Pick the district and ward to see the fee.</source>
        <translation>Chọn quận/huyện và phường/xã để xem phí.</translation>
    </message>
    <message>
        <source>Asking the carrier for the fee…</source>
        <translation>Đang hỏi phí từ đơn vị vận chuyển…</translation>
    </message>
    <message>
        <source>Shipping fee: %1</source>
        <translation>Phí vận chuyển: %1</translation>
    </message>
    <message>
        <source>No fee quote: %1</source>
        <translation>Không lấy được báo phí: %1</translation>
    </message>
    <message>
        <source>Creating the shipment</source>
        <translation>Đang tạo vận đơn</translation>
    </message>
</context>
<context>
    <name>ShipmentsPanel</name>
    <message>
        <source>Shipments</source>
        <extracomment>A line for the user (&quot;Label sent to …&quot;), also shown in the panel. The shipment whose action was just asked for: what a send&apos;s outcome is told of. Asked before a cancel (tests answer it).</extracomment>
        <translation>Vận đơn</translation>
    </message>
    <message>
        <source>Tracking code</source>
        <translation>Mã vận đơn</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Fee</source>
        <translation>Phí</translation>
    </message>
    <message>
        <source>Ship with carrier…</source>
        <translation>Giao qua đơn vị vận chuyển…</translation>
    </message>
    <message>
        <source>Cancel shipment</source>
        <translation>Hủy vận đơn</translation>
    </message>
    <message>
        <source>Update tracking</source>
        <translation>Cập nhật hành trình</translation>
    </message>
    <message>
        <source>Ask the carrier where the parcel is now (also done every %1 minutes).</source>
        <translation>Hỏi đơn vị vận chuyển xem kiện hàng đang ở đâu (tự động hỏi mỗi %1 phút).</translation>
    </message>
    <message>
        <source>Print label</source>
        <translation>In nhãn vận đơn</translation>
    </message>
    <message>
        <source>Where the carrier&apos;s label goes</source>
        <translation>Nơi lưu nhãn vận đơn</translation>
    </message>
    <message>
        <source>Open the label file</source>
        <translation>Mở tệp nhãn vận đơn</translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation>Chờ gửi cho đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>Refused: %1</source>
        <translation>Bị từ chối: %1</translation>
    </message>
    <message>
        <source>The shipment of order %1 is waiting to be sent.</source>
        <translation>Vận đơn của đơn %1 đang chờ gửi.</translation>
    </message>
    <message>
        <source>The carrier cannot be reached: it is sent when the connection is back.</source>
        <translation>Không kết nối được với đơn vị vận chuyển: vận đơn sẽ được gửi khi có kết nối trở lại.</translation>
    </message>
    <message>
        <source>Not sent yet: it is tried again in a moment.</source>
        <translation>Chưa gửi được: sẽ thử lại ngay sau đây.</translation>
    </message>
    <message>
        <source>Not sent yet (%1): it is tried again in a moment.</source>
        <translation>Chưa gửi được (%1): sẽ thử lại ngay sau đây.</translation>
    </message>
    <message>
        <source>The carrier refused to cancel the shipment: %1</source>
        <translation>Đơn vị vận chuyển từ chối hủy vận đơn: %1</translation>
    </message>
    <message>
        <source>The carrier refused the shipment: %1</source>
        <translation>Đơn vị vận chuyển từ chối vận đơn: %1</translation>
    </message>
    <message>
        <source>The shipment is cancelled.</source>
        <translation>Vận đơn đã được hủy.</translation>
    </message>
    <message>
        <source>Sent to the carrier: the tracking code is in the list.</source>
        <translation>Đã gửi cho đơn vị vận chuyển: mã vận đơn có trong danh sách.</translation>
    </message>
    <message>
        <source>Cancel shipment %1 with the carrier?</source>
        <translation>Hủy vận đơn %1 với đơn vị vận chuyển?</translation>
    </message>
    <message>
        <source>The carrier did not answer: %1</source>
        <translation>Đơn vị vận chuyển không trả lời: %1</translation>
    </message>
    <message>
        <source>Tracking updated.</source>
        <translation>Đã cập nhật hành trình.</translation>
    </message>
    <message>
        <source>No news from the carrier since the last check.</source>
        <translation>Chưa có thông tin mới từ đơn vị vận chuyển kể từ lần kiểm tra trước.</translation>
    </message>
    <message>
        <source>Label sent to %1.</source>
        <translation>Đã gửi nhãn vận đơn tới %1.</translation>
    </message>
    <message>
        <source>Label opened: %1</source>
        <translation>Đã mở nhãn vận đơn: %1</translation>
    </message>
</context>
<context>
    <name>ShopLogPage</name>
    <message>
        <source>Sync now</source>
        <extracomment>(shop id, why) of the last Sync now or Re-fetch that did not run (the shop syncs elsewhere now) or was cancelled: said once, under the shop&apos;s state.</extracomment>
        <translation>Đồng bộ ngay</translation>
    </message>
    <message>
        <source>Re-fetch</source>
        <translation>Tải lại</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Mức độ</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Nội dung</translation>
    </message>
    <message>
        <source>Shop:</source>
        <translation>Gian hàng:</translation>
    </message>
    <message>
        <source>Re-fetch orders updated from</source>
        <translation>Tải lại đơn hàng cập nhật từ</translation>
    </message>
    <message>
        <source>to</source>
        <translation>đến</translation>
    </message>
    <message>
        <source>No marketplace shop yet: connect one in Settings → Sales channels.</source>
        <translation>Chưa có gian hàng trên sàn: hãy kết nối trong Cài đặt → Kênh bán hàng.</translation>
    </message>
    <message>
        <source>Last sync: %s</source>
        <translation>Đồng bộ gần nhất: %s</translation>
    </message>
    <message>
        <source>never</source>
        <translation>chưa bao giờ</translation>
    </message>
    <message>
        <source>Disconnected: authorise it again in Settings → Sales channels to sync it</source>
        <translation>Đã ngắt kết nối: hãy ủy quyền lại trong Cài đặt → Kênh bán hàng để đồng bộ</translation>
    </message>
    <message>
        <source>Not linked: authorise it in Settings → Sales channels to sync it</source>
        <translation>Chưa liên kết: hãy ủy quyền trong Cài đặt → Kênh bán hàng để đồng bộ</translation>
    </message>
    <message>
        <source>Paused (daily limit) until %s</source>
        <translation>Tạm dừng (hết hạn mức trong ngày) đến %s</translation>
    </message>
    <message>
        <source>A sync of this shop is already running.</source>
        <translation>Gian hàng này đang được đồng bộ.</translation>
    </message>
    <message>
        <source>Needs re-authorisation (Settings → Sales channels)</source>
        <translation>Cần ủy quyền lại (Cài đặt → Kênh bán hàng)</translation>
    </message>
    <message>
        <source>Last error: %s</source>
        <translation>Lỗi gần nhất: %s</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>Thông tin</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Cảnh báo</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Lỗi</translation>
    </message>
    <message>
        <source>The start day %s is in the future: choose today or an earlier day.</source>
        <translation>Ngày bắt đầu %s nằm trong tương lai: hãy chọn hôm nay hoặc một ngày trước đó.</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Đang đồng bộ…</translation>
    </message>
    <message>
        <source>Marketplace sync</source>
        <translation>Đồng bộ từ sàn</translation>
    </message>
</context>
<context>
    <name>ShopPicker</name>
    <message>
        <source>All shops</source>
        <extracomment>Hidden since the figures were read (another tab was open): read them on show. A refresh was asked for while one ran: run it once that one ends. The range of the figures shown (None until the first are read).</extracomment>
        <translation>Tất cả gian hàng</translation>
    </message>
    <message numerus="yes">
        <source>%n shop(s)</source>
        <translation>
            <numerusform>%n gian hàng</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ShopSettings</name>
    <message>
        <source>Shop details</source>
        <extracomment>The shop details were saved: the shop&apos;s name as kept (the window&apos;s header shows it).</extracomment>
        <translation>Thông tin cửa hàng</translation>
    </message>
    <message>
        <source>Printed at the top of receipts, invoices and packing slips. Their layout and the printers are in Printers &amp; templates.</source>
        <translation>In ở đầu hóa đơn bán hàng, hóa đơn và phiếu giao hàng. Mẫu in và máy in nằm trong Máy in &amp; mẫu in.</translation>
    </message>
</context>
<context>
    <name>SkuGroupsPage</name>
    <message>
        <source>No SKU groups match the search.</source>
        <translation>Không có nhóm SKU nào khớp với tìm kiếm.</translation>
    </message>
    <message>
        <source>No SKU groups yet: a group lets several SKUs sell from one stock.</source>
        <translation>Chưa có nhóm SKU: một nhóm cho nhiều SKU bán chung một tồn kho.</translation>
    </message>
    <message>
        <source>Search groups by code or name</source>
        <translation>Tìm nhóm theo mã hoặc tên</translation>
    </message>
    <message>
        <source>New group…</source>
        <translation>Tạo nhóm…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Sửa…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Xóa</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Xuất Excel</translation>
    </message>
    <message>
        <source>%n group</source>
        <translation>%n nhóm</translation>
    </message>
    <message>
        <source>%n groups</source>
        <translation>%n nhóm</translation>
    </message>
    <message>
        <source>Delete group %1? The SKUs that were in it keep the stock movements they made there.</source>
        <translation>Xóa nhóm %1? Các SKU từng thuộc nhóm vẫn giữ lịch sử kho trong thời gian ở nhóm.</translation>
    </message>
    <message>
        <source>Delete SKU group</source>
        <translation>Xóa nhóm SKU</translation>
    </message>
    <message>
        <source>Export SKU groups</source>
        <translation>Xuất nhóm SKU</translation>
    </message>
    <message>
        <source>Exporting SKU groups</source>
        <translation>Đang xuất nhóm SKU</translation>
    </message>
    <message>
        <source>%n group exported to %1.</source>
        <translation>Đã xuất %n nhóm ra %1.</translation>
    </message>
    <message>
        <source>%n groups exported to %1.</source>
        <translation>Đã xuất %n nhóm ra %1.</translation>
    </message>
    <message>
        <source>Export finished</source>
        <translation>Đã xuất xong</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Mở thư mục</translation>
    </message>
</context>
<context>
    <name>SqlListPage</name>
    <message>
        <source>Nothing matches the search and filters.</source>
        <extracomment>Width a dialog&apos;s title bar takes besides its title: the icon, the window buttons, the padding (Windows&apos; buttons are 46 px wide each). The width each column sized here has with room to spare, and its narrowest. How many rows must have their keys to put all this back (the last one selected, current or on screen, and a page more for rows added above them meanwhile). The first row on screen and its key: scrolled down, the same rows stay on screen when rows come or go above them (at the top, new rows show there). The current row was on screen: it stays there (else the user scrolled away from it, and is not taken back to it). Where to put the user back once a refresh&apos;s background search answers. A refresh for changes made elsewhere runs (`follow_changes`).</extracomment>
        <translation>Không có kết quả khớp với tìm kiếm và bộ lọc.</translation>
    </message>
    <message>
        <source>Nothing here yet.</source>
        <translation>Chưa có dữ liệu.</translation>
    </message>
</context>
<context>
    <name>StaffDialog</name>
    <message>
        <source>Add staff</source>
        <translation>Thêm nhân viên</translation>
    </message>
    <message>
        <source>Edit staff</source>
        <translation>Sửa nhân viên</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Họ tên</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Email</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Vai trò</translation>
    </message>
    <message>
        <source>Module access (staff only):</source>
        <translation>Quyền truy cập (chỉ áp dụng cho nhân viên):</translation>
    </message>
    <message>
        <source>Export the lists and reports of their modules to files (Excel, CSV): orders with customers&apos; phones and addresses, customers, products… The owner and managers always may.</source>
        <translation>Xuất danh sách và báo cáo của các mục được phép ra tệp (Excel, CSV): đơn hàng kèm số điện thoại và địa chỉ khách, khách hàng, sản phẩm… Chủ cửa hàng và quản lý luôn được phép.</translation>
    </message>
    <message>
        <source>Take returns, give refunds, exchange items and cancel paid orders. The owner and managers always may.</source>
        <translation>Nhận trả hàng, hoàn tiền, đổi hàng và hủy đơn đã thanh toán. Chủ cửa hàng và quản lý luôn được phép.</translation>
    </message>
</context>
<context>
    <name>StaffSettings</name>
    <message>
        <source>Staff</source>
        <translation>Nhân viên</translation>
    </message>
    <message>
        <source>Only the owner or a manager manages staff accounts.</source>
        <translation>Chỉ chủ cửa hàng hoặc quản lý được quản lý tài khoản nhân viên.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Họ tên</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Email</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Vai trò</translation>
    </message>
    <message>
        <source>Modules</source>
        <translation>Quyền truy cập</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Add staff…</source>
        <translation>Thêm nhân viên…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Sửa…</translation>
    </message>
    <message>
        <source>Reset password…</source>
        <translation>Đặt lại mật khẩu…</translation>
    </message>
    <message>
        <source>Lock the window after this many idle minutes (0 = never):</source>
        <translation>Khóa màn hình sau số phút không thao tác (0 = không khóa):</translation>
    </message>
    <message>
        <source> min</source>
        <translation> phút</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Tất cả</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Đang hoạt động</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Đã vô hiệu hóa</translation>
    </message>
    <message>
        <source>Active (one-time password)</source>
        <translation>Đang hoạt động (mật khẩu dùng một lần)</translation>
    </message>
    <message>
        <source>Enable</source>
        <translation>Kích hoạt</translation>
    </message>
    <message>
        <source>Disable</source>
        <translation>Vô hiệu hóa</translation>
    </message>
    <message>
        <source>Disable account</source>
        <translation>Vô hiệu hóa tài khoản</translation>
    </message>
    <message>
        <source>Disable %s&apos;s account? They are signed out at once and cannot sign in until the account is enabled again.</source>
        <translation>Vô hiệu hóa tài khoản của %s? Người này bị đăng xuất ngay và không đăng nhập được cho đến khi tài khoản được bật lại.</translation>
    </message>
    <message>
        <source>Reset password</source>
        <translation>Đặt lại mật khẩu</translation>
    </message>
    <message>
        <source>Give %s a new one-time password? Their current password stops working.</source>
        <translation>Cấp cho %s một mật khẩu dùng một lần mới? Mật khẩu hiện tại của người này sẽ không dùng được nữa.</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Đã lưu.</translation>
    </message>
</context>
<context>
    <name>StockHistoryDialog</name>
    <message>
        <source>Stock history: %1</source>
        <extracomment>Movements read at a time: the newest first, &quot;Load older&quot; reads the next page. The reason the app writes when a SKU leaves its group (`services.sku_groups`). The column that takes the room the others leave (never less than its own texts). Older movements than `rows` remain to be read (&quot;Load older&quot;). Order id → order number, of the orders in `rows`.</extracomment>
        <translation>Lịch sử kho: %1</translation>
    </message>
    <message>
        <source>&amp;Variant</source>
        <translation>&amp;Phân loại</translation>
    </message>
    <message>
        <source>All variants</source>
        <translation>Tất cả phân loại</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>Movement</source>
        <translation>Thao tác</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>Số lượng</translation>
    </message>
    <message>
        <source>Reserved</source>
        <translation>Đang giữ</translation>
    </message>
    <message>
        <source>On hand after</source>
        <translation>Tồn sau</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Lý do</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Đơn hàng</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Thực hiện</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Load older</source>
        <translation>Xem cũ hơn</translation>
    </message>
    <message>
        <source>This product has no active variant.</source>
        <translation>Sản phẩm này không có phân loại nào đang bán.</translation>
    </message>
    <message>
        <source>&apos;On hand after&apos; of a SKU group&apos;s movement is the group&apos;s stock, marked with the group&apos;s code.</source>
        <translation>&apos;Tồn sau&apos; của một lần xuất nhập thuộc nhóm SKU là tồn kho của nhóm, có ghi mã nhóm.</translation>
    </message>
    <message>
        <source>%1 shares the stock of group %2: these are the group&apos;s movements, of every SKU in it; &apos;on hand after&apos; is the group&apos;s.</source>
        <translation>%1 dùng chung tồn kho của nhóm %2: đây là lịch sử kho của cả nhóm, gồm mọi SKU trong nhóm; “Tồn sau” là tồn kho của nhóm.</translation>
    </message>
    <message>
        <source>%1 has been in a SKU group: for the movements it made there (before &apos;Left group&apos;), &apos;on hand after&apos; is the group&apos;s stock.</source>
        <translation>%1 từng thuộc một nhóm SKU: với các thay đổi trong thời gian ở nhóm (trước dòng “Rời nhóm”), “Tồn sau” là tồn kho của nhóm.</translation>
    </message>
    <message>
        <source>The latest %1 movements.</source>
        <translation>%1 thay đổi gần nhất.</translation>
    </message>
    <message>
        <source>%1 (group %2)</source>
        <translation>%1 (nhóm %2)</translation>
    </message>
    <message>
        <source>System</source>
        <translation>Hệ thống</translation>
    </message>
</context>
<context>
    <name>StockMoveDialog</name>
    <message>
        <source>%1 will have %2 on hand, below the %3 held for open orders: those orders cannot all be packed until more comes in. Save all the same?</source>
        <translation>%1 sẽ còn %2 trong kho, thấp hơn %3 đang giữ cho các đơn chưa xong: chưa thể đóng gói hết các đơn đó cho đến khi nhập thêm hàng. Vẫn lưu?</translation>
    </message>
    <message>
        <source>Below what open orders hold</source>
        <translation>Thấp hơn số đang giữ cho đơn</translation>
    </message>
    <message>
        <source>Stock movement: %1</source>
        <extracomment>A stock in saved with &quot;Print barcode labels&quot; ticked: (product id, variant id, copies). The movement saved (None for an adjustment to the same figure); set on success.</extracomment>
        <translation>Nhập/xuất kho: %1</translation>
    </message>
    <message>
        <source>Stock &amp;in</source>
        <translation>&amp;Nhập kho</translation>
    </message>
    <message>
        <source>Stock &amp;out</source>
        <translation>&amp;Xuất kho</translation>
    </message>
    <message>
        <source>&amp;Adjust to a count</source>
        <translation>Đ&amp;iều chỉnh theo số đếm</translation>
    </message>
    <message>
        <source>&amp;Variant</source>
        <translation>&amp;Phân loại</translation>
    </message>
    <message>
        <source>Movement</source>
        <translation>Thao tác</translation>
    </message>
    <message>
        <source>Unit &amp;cost</source>
        <translation>Giá &amp;vốn</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>&amp;Lý do</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Kết quả</translation>
    </message>
    <message>
        <source>optional, e.g. 45.000</source>
        <translation>không bắt buộc, ví dụ 45.000</translation>
    </message>
    <message>
        <source>Print barcode labels for the items received</source>
        <translation>In tem mã vạch cho số hàng nhập</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>&amp;Counted on hand</source>
        <translation>Số lượng &amp;thực tế</translation>
    </message>
    <message>
        <source>&amp;Quantity</source>
        <translation>&amp;Số lượng</translation>
    </message>
    <message>
        <source>optional: supplier, delivery note…</source>
        <translation>không bắt buộc: nhà cung cấp, phiếu giao hàng…</translation>
    </message>
    <message>
        <source>required: damaged, lost, recount…</source>
        <translation>bắt buộc: hư hỏng, thất lạc, đếm lại…</translation>
    </message>
    <message>
        <source>This product has no active variant.</source>
        <translation>Sản phẩm này không có phân loại nào đang bán.</translation>
    </message>
    <message>
        <source>Type the unit cost as an amount of money, e.g. 45.000.</source>
        <translation>Nhập giá vốn là một số tiền, ví dụ 45.000.</translation>
    </message>
    <message>
        <source>Only %1 on hand: cannot take out %2.</source>
        <translation>Chỉ còn %1 trong kho: không thể xuất %2.</translation>
    </message>
    <message>
        <source>The count is the stock on hand already: nothing to change.</source>
        <translation>Số đếm bằng đúng tồn kho hiện tại: không có gì thay đổi.</translation>
    </message>
    <message>
        <source>Give a reason for the stock change.</source>
        <translation>Hãy nhập lý do thay đổi tồn kho.</translation>
    </message>
    <message>
        <source>On hand %1 → %2 (%3)</source>
        <translation>Tồn kho %1 → %2 (%3)</translation>
    </message>
    <message>
        <source>shared by group %1</source>
        <translation>dùng chung trong nhóm %1</translation>
    </message>
    <message>
        <source>below the %1 held for open orders</source>
        <translation>thấp hơn %1 đang giữ cho các đơn chưa xong</translation>
    </message>
    <message>
        <source>Saving the stock movement</source>
        <translation>Đang lưu thay đổi tồn kho</translation>
    </message>
</context>
<context>
    <name>StockReasonDialog</name>
    <message>
        <source>Stock-take count</source>
        <extracomment>The reasons offered (the Stock movement dialog&apos;s usual ones); stored as shown, in the language of the one who chose it, like a reason typed there.</extracomment>
        <translation>Kiểm kho</translation>
    </message>
    <message>
        <source>Damaged goods</source>
        <translation>Hàng hỏng</translation>
    </message>
    <message>
        <source>Lost goods</source>
        <translation>Hàng thất lạc</translation>
    </message>
    <message>
        <source>Goods received</source>
        <translation>Nhập thêm hàng</translation>
    </message>
    <message>
        <source>Correcting a wrong figure</source>
        <translation>Sửa số liệu sai</translation>
    </message>
    <message>
        <source>Reason for the stock change</source>
        <extracomment>The changes listed one per line (the rest are counted).</extracomment>
        <translation>Lý do đổi tồn kho</translation>
    </message>
    <message>
        <source>New stock on %1 variant(s):</source>
        <translation>%1 phân loại đổi tồn kho:</translation>
    </message>
    <message>
        <source>… and %1 more</source>
        <translation>… và %1 phân loại khác</translation>
    </message>
    <message>
        <source>choose or type: damaged, lost, recount…</source>
        <translation>chọn hoặc nhập: hàng hỏng, thất lạc, kiểm kho…</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>&amp;Lý do</translation>
    </message>
    <message>
        <source>&amp;Note</source>
        <translation>&amp;Ghi chú</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>không bắt buộc</translation>
    </message>
    <message>
        <source>Recorded in the stock history; the new stock goes to the linked marketplaces. Cancel goes back to the product without saving.</source>
        <translation>Được ghi vào lịch sử kho; số tồn mới sẽ gửi lên các sàn đã liên kết. Hủy để quay lại sản phẩm mà không lưu.</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
</context>
<context>
    <name>StocktakePage</name>
    <message>
        <source>Load a count sheet, then scan each item with the barcode scanner (or type the counted quantity in the Counted column). Only counted lines are applied: lines left blank keep their stock.</source>
        <extracomment>A sheet was loaded (its number of lines). A stock-take was applied (the StocktakeResult). A sheet is being loaded: scans wait in `_pending` meanwhile (the field stays on). Words the message beside the scan field (again when the language changes). The filters of the sheet shown (category, shop id).</extracomment>
        <translation>Tải phiếu kiểm kho, rồi quét từng sản phẩm bằng máy quét mã vạch (hoặc nhập số lượng đếm được vào cột Thực tế). Chỉ những dòng đã đếm mới được cập nhật: dòng để trống giữ nguyên tồn kho.</translation>
    </message>
    <message>
        <source>&amp;Category</source>
        <translation>&amp;Danh mục</translation>
    </message>
    <message>
        <source>S&amp;hop</source>
        <translation>&amp;Gian hàng</translation>
    </message>
    <message>
        <source>All categories</source>
        <translation>Tất cả danh mục</translation>
    </message>
    <message>
        <source>All shops</source>
        <translation>Tất cả gian hàng</translation>
    </message>
    <message>
        <source>&amp;Load count sheet</source>
        <translation>&amp;Tải phiếu kiểm kho</translation>
    </message>
    <message>
        <source>&amp;Apply stock-take…</source>
        <translation>&amp;Cân bằng kho…</translation>
    </message>
    <message>
        <source>Scan or type a barcode or SKU, then Enter</source>
        <translation>Quét hoặc nhập mã vạch, SKU rồi nhấn Enter</translation>
    </message>
    <message>
        <source>%1 lines on the sheet.</source>
        <translation>Phiếu có %1 dòng.</translation>
    </message>
    <message>
        <source>No count sheet loaded.</source>
        <translation>Chưa tải phiếu kiểm kho.</translation>
    </message>
    <message>
        <source>“%1” is not a whole number: a count has no decimals, and its thousands go in groups of three, as in %2.</source>
        <translation>“%1” không phải số nguyên: số lượng đếm không có phần thập phân, hàng nghìn viết theo nhóm ba chữ số, ví dụ %2.</translation>
    </message>
    <message>
        <source>“%1” is more than a count can be (at most %2): type the number counted, or scan in the scan field.</source>
        <translation>“%1” vượt quá số đếm cho phép (tối đa %2): hãy gõ số lượng đã đếm, hoặc quét mã ở ô quét.</translation>
    </message>
    <message>
        <source>“%1” is not a count: type a whole number of 0 or more, or nothing.</source>
        <translation>“%1” không phải số lượng: hãy nhập số nguyên từ 0 trở lên, hoặc để trống.</translation>
    </message>
    <message>
        <source>Loading the count sheet</source>
        <translation>Đang tải phiếu kiểm kho</translation>
    </message>
    <message>
        <source>%1 scans are waiting: load the count sheet to count them.</source>
        <translation>%1 lượt quét đang chờ: hãy tải phiếu kiểm kho để đếm.</translation>
    </message>
    <message>
        <source>%1 lines loaded. Scan the first item.</source>
        <translation>Đã tải %1 dòng. Hãy quét sản phẩm đầu tiên.</translation>
    </message>
    <message>
        <source>No active product matches these filters.</source>
        <translation>Không có sản phẩm đang bán nào khớp bộ lọc này.</translation>
    </message>
    <message>
        <source>“%1” is %2 · %3: that line is counted %4.</source>
        <translation>“%1” là mã của %2 · %3: đã đếm dòng đó %4.</translation>
    </message>
    <message>
        <source>Type 1 to %1 before the *.</source>
        <translation>Nhập từ 1 đến %1 trước dấu *.</translation>
    </message>
    <message>
        <source>Loading the count sheet: %1 scans will be counted then.</source>
        <translation>Đang tải phiếu kiểm kho: %1 lượt quét sẽ được đếm khi tải xong.</translation>
    </message>
    <message>
        <source>Unknown code “%1”: no line of this sheet has that barcode or SKU.</source>
        <translation>Không tìm thấy mã “%1”: phiếu này không có dòng nào mang mã vạch hoặc SKU đó.</translation>
    </message>
    <message>
        <source>%1: a count is at most %2.</source>
        <translation>%1: số đếm tối đa là %2.</translation>
    </message>
    <message>
        <source>Scan an item first: “%1*” then sets the count of the line scanned last.</source>
        <translation>Hãy quét sản phẩm trước: “%1*” sẽ đặt số đếm cho dòng vừa quét.</translation>
    </message>
    <message>
        <source>%1 · %2: counted %3</source>
        <translation>%1 · %2: đã đếm %3</translation>
    </message>
    <message>
        <source>%1 lines</source>
        <translation>%1 dòng</translation>
    </message>
    <message>
        <source>Applying the stock-take</source>
        <translation>Đang cân bằng kho</translation>
    </message>
    <message>
        <source>Count %1 lines again: they show their stock as it is now, with an empty count. Your other counts are kept.</source>
        <translation>Hãy đếm lại %1 dòng: các dòng này đang hiện tồn kho hiện tại, ô thực tế để trống. Các số đã đếm khác vẫn được giữ.</translation>
    </message>
    <message>
        <source>Stock-take applied: %1 lines counted, %2 changed, %3 units, %4.</source>
        <translation>Đã cân bằng kho: %1 dòng đã đếm, %2 dòng thay đổi, lệch %3 sản phẩm, %4.</translation>
    </message>
</context>
<context>
    <name>SupplierDialog</name>
    <message>
        <source>New supplier</source>
        <extracomment>The account entries of goods sent back (the return, the money given back for it). A balance paid in advance (the supplier owes the shop goods).</extracomment>
        <translation>Thêm nhà cung cấp</translation>
    </message>
    <message>
        <source>Edit supplier %1</source>
        <translation>Sửa nhà cung cấp %1</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Tên</translation>
    </message>
    <message>
        <source>&amp;Phone</source>
        <translation>Điện t&amp;hoại</translation>
    </message>
    <message>
        <source>&amp;Email</source>
        <translation>&amp;Email</translation>
    </message>
    <message>
        <source>&amp;Address</source>
        <translation>Đị&amp;a chỉ</translation>
    </message>
    <message>
        <source>&amp;Tax code</source>
        <translation>&amp;Mã số thuế</translation>
    </message>
    <message>
        <source>N&amp;ote</source>
        <translation>Gh&amp;i chú</translation>
    </message>
    <message>
        <source>required: the company or person goods come from</source>
        <translation>bắt buộc: công ty hoặc người cung cấp hàng</translation>
    </message>
    <message>
        <source>optional, e.g. 0101234567</source>
        <translation>không bắt buộc, ví dụ 0101234567</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Saving the supplier</source>
        <translation>Đang lưu nhà cung cấp</translation>
    </message>
</context>
<context>
    <name>SupplierReturnDialog</name>
    <message>
        <source>Return goods of %1 to the supplier %2</source>
        <extracomment>The table&apos;s columns; only how many go back is typed. A whole number of units as typed: digits, maybe grouped by thousands (1.200 or 1,200). What the shop owes the receipt&apos;s supplier now (None: no supplier, or not read yet).</extracomment>
        <translation>Trả hàng của %1 cho nhà cung cấp %2</translation>
    </message>
    <message>
        <source>Return goods of %1 to the supplier</source>
        <translation>Trả hàng của %1 cho nhà cung cấp</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Đã nhập</translation>
    </message>
    <message>
        <source>Returned already</source>
        <translation>Đã trả trước đó</translation>
    </message>
    <message>
        <source>Unit cost</source>
        <translation>Giá nhập</translation>
    </message>
    <message>
        <source>To return</source>
        <translation>Số trả lại</translation>
    </message>
    <message>
        <source>Return all</source>
        <translation>Trả tất cả</translation>
    </message>
    <message>
        <source>Send back everything of the receipt that can still go back</source>
        <translation>Trả lại mọi hàng của phiếu còn có thể trả</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>&amp;Lý do</translation>
    </message>
    <message>
        <source>required: faulty, wrong size, too many…</source>
        <translation>bắt buộc: hàng lỗi, sai cỡ, giao thừa…</translation>
    </message>
    <message>
        <source>&amp;Money given back</source>
        <translation>&amp;Tiền nhà cung cấp hoàn lại</translation>
    </message>
    <message>
        <source>Money the supplier gives back for these goods now. 0: their value comes off what the shop owes the supplier instead</source>
        <translation>Số tiền nhà cung cấp hoàn lại ngay cho số hàng này. 0: giá trị hàng được trừ vào số cửa hàng đang nợ nhà cung cấp</translation>
    </message>
    <message>
        <source>How the supplier gave the money back</source>
        <translation>Hình thức nhà cung cấp hoàn tiền</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Take the goods out of stock and record the return</source>
        <translation>Xuất hàng khỏi kho và ghi phiếu trả hàng</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>At most %1</source>
        <translation>Tối đa %1</translation>
    </message>
    <message>
        <source>Its product was deleted since: nothing of it can go back</source>
        <translation>Sản phẩm đã bị xóa: không thể trả lại</translation>
    </message>
    <message>
        <source>All of it went back already</source>
        <translation>Đã trả lại hết</translation>
    </message>
    <message>
        <source>Reading the receipt&apos;s lines…</source>
        <translation>Đang đọc các dòng của phiếu…</translation>
    </message>
    <message>
        <source>%1: type how many go back as a whole number, e.g. 2.</source>
        <translation>%1: nhập số lượng trả lại là số nguyên, ví dụ 2.</translation>
    </message>
    <message>
        <source>%1: nothing of it can go back.</source>
        <translation>%1: không thể trả lại.</translation>
    </message>
    <message>
        <source>%1: at most %2 can go back (%3 came in, %4 went back already).</source>
        <translation>%1: chỉ trả lại được tối đa %2 (đã nhập %3, đã trả %4).</translation>
    </message>
    <message>
        <source>Type how many of which lines go back (or Return all).</source>
        <translation>Nhập số lượng trả lại cho các dòng (hoặc bấm Trả tất cả).</translation>
    </message>
    <message>
        <source>Say why the goods go back to the supplier.</source>
        <translation>Hãy ghi lý do trả hàng cho nhà cung cấp.</translation>
    </message>
    <message>
        <source>Type the money given back as an amount of money, e.g. 45.000.</source>
        <translation>Nhập tiền được hoàn lại dưới dạng số tiền, ví dụ 45.000.</translation>
    </message>
    <message>
        <source>The money given back must be 0 to the value of the goods going back (%1).</source>
        <translation>Tiền hoàn lại phải từ 0 đến giá trị hàng trả (%1).</translation>
    </message>
    <message>
        <source>Value of the goods going back: %1</source>
        <translation>Giá trị hàng trả lại: %1</translation>
    </message>
    <message>
        <source>%1 comes off what the shop owes the supplier</source>
        <translation>Trừ %1 vào công nợ nhà cung cấp</translation>
    </message>
    <message>
        <source>Owed to the supplier after the return: %1 (%2 paid in advance)</source>
        <translation>Còn nợ nhà cung cấp sau khi trả hàng: %1 (đã trả trước %2)</translation>
    </message>
    <message>
        <source>Owed to the supplier after the return: %1</source>
        <translation>Còn nợ nhà cung cấp sau khi trả hàng: %1</translation>
    </message>
    <message>
        <source>%1 comes back (%2)</source>
        <translation>Nhận lại %1 (%2)</translation>
    </message>
    <message>
        <source>Returning goods to the supplier</source>
        <translation>Đang trả hàng cho nhà cung cấp</translation>
    </message>
</context>
<context>
    <name>SuppliersPage</name>
    <message>
        <source>Search by code, name, phone, email or tax code</source>
        <translation>Tìm theo mã, tên, điện thoại, email hoặc mã số thuế</translation>
    </message>
    <message>
        <source>Only those owed money</source>
        <translation>Chỉ NCC còn nợ</translation>
    </message>
    <message>
        <source>Only the suppliers the shop still owes money</source>
        <translation>Chỉ những nhà cung cấp cửa hàng còn nợ tiền</translation>
    </message>
    <message>
        <source>Archived</source>
        <translation>Đã lưu trữ</translation>
    </message>
    <message>
        <source>Show the archived suppliers (goods no longer come from them)</source>
        <translation>Hiện các nhà cung cấp đã lưu trữ (không còn nhập hàng từ họ)</translation>
    </message>
    <message>
        <source>New supplier</source>
        <translation>Thêm nhà cung cấp</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Sửa…</translation>
    </message>
    <message>
        <source>Change the selected supplier&apos;s name and details</source>
        <translation>Sửa tên và thông tin của nhà cung cấp đang chọn</translation>
    </message>
    <message>
        <source>Pay…</source>
        <translation>Trả tiền…</translation>
    </message>
    <message>
        <source>Record money paid to the selected supplier</source>
        <translation>Ghi nhận tiền đã trả cho nhà cung cấp đang chọn</translation>
    </message>
    <message>
        <source>New goods receipt</source>
        <translation>Nhập hàng</translation>
    </message>
    <message>
        <source>Receive a delivery from the selected supplier (Goods receipts)</source>
        <translation>Nhập hàng từ nhà cung cấp đang chọn (trang Nhập hàng)</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Xuất Excel…</translation>
    </message>
    <message>
        <source>Export the suppliers listed (every one that matches the search and filters) to Excel</source>
        <translation>Xuất các nhà cung cấp trong danh sách (mọi NCC khớp tìm kiếm và bộ lọc) ra Excel</translation>
    </message>
    <message>
        <source>Cancel payment…</source>
        <translation>Hủy phiếu chi…</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Mã</translation>
    </message>
    <message>
        <source>Supplier</source>
        <translation>Nhà cung cấp</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Điện thoại</translation>
    </message>
    <message>
        <source>Receipts</source>
        <translation>Số phiếu nhập</translation>
    </message>
    <message>
        <source>Bought</source>
        <translation>Tổng nhập</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>Đã trả</translation>
    </message>
    <message>
        <source>Owed</source>
        <translation>Còn nợ</translation>
    </message>
    <message>
        <source>Last delivery</source>
        <translation>Nhập gần nhất</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Ngày</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>Chứng từ</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Nội dung</translation>
    </message>
    <message>
        <source>Owed more</source>
        <translation>Nợ tăng</translation>
    </message>
    <message>
        <source>Owed less</source>
        <translation>Nợ giảm</translation>
    </message>
    <message>
        <source>Balance</source>
        <translation>Công nợ</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Người tạo</translation>
    </message>
    <message>
        <source>%1 in advance</source>
        <translation>Trả trước %1</translation>
    </message>
    <message>
        <source>No suppliers match the search and the filters.</source>
        <extracomment>A supplier or a payment was written (other pages may refresh). Open a new goods receipt from this supplier (its name). New purchase order to this supplier (its name). The supplier whose account `ledger` is. What the selected supplier delivered, one row a SKU. Read again for a change made elsewhere: (the supplier whose account showed, where it was scrolled, the line selected) to put back once the account is read again. The supplier to select once the list is read again (one just created). What was done that is no problem (a voucher printed). The list was read once: before, an empty table is no news (no hint).</extracomment>
        <translation>Không có nhà cung cấp nào khớp với tìm kiếm và bộ lọc.</translation>
    </message>
    <message>
        <source>No suppliers yet: add the ones you buy from with New supplier, or import a file.</source>
        <translation>Chưa có nhà cung cấp: thêm nơi bạn nhập hàng bằng nút Thêm nhà cung cấp, hoặc nhập từ tệp.</translation>
    </message>
    <message>
        <source>Adjust…</source>
        <translation>Điều chỉnh…</translation>
    </message>
    <message>
        <source>Change what the shop owes the selected supplier by hand: a debt from before the app, a discount granted, a correction</source>
        <translation>Điều chỉnh tay số cửa hàng nợ nhà cung cấp đang chọn: nợ cũ từ trước khi dùng ứng dụng, chiết khấu được hưởng, sửa sai</translation>
    </message>
    <message>
        <source>New purchase order</source>
        <translation>Đặt hàng nhập</translation>
    </message>
    <message>
        <source>Order goods from the selected supplier (Purchase orders)</source>
        <translation>Đặt hàng của nhà cung cấp đang chọn (Đặt hàng nhập)</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>Nhập từ tệp…</translation>
    </message>
    <message>
        <source>Add suppliers from a .xlsx or .csv file (columns name, phone, email, address, tax_code, note, opening_debt), or update those there already</source>
        <translation>Thêm nhà cung cấp từ tệp .xlsx hoặc .csv (các cột name, phone, email, address, tax_code, note, opening_debt), hoặc cập nhật những nhà cung cấp đã có</translation>
    </message>
    <message>
        <source>Print voucher</source>
        <translation>In phiếu chi</translation>
    </message>
    <message>
        <source>Adjusted</source>
        <translation>Điều chỉnh</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Units received</source>
        <translation>Số lượng đã nhập</translation>
    </message>
    <message>
        <source>Last unit cost</source>
        <translation>Giá nhập gần nhất</translation>
    </message>
    <message>
        <source>Last received</source>
        <translation>Nhập gần nhất</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Công nợ</translation>
    </message>
    <message>
        <source>Products supplied</source>
        <translation>Hàng đã nhập</translation>
    </message>
    <message>
        <source>What the supplier delivered, the most recent first: units received (less those sent back), the last unit cost, when it last came</source>
        <translation>Những gì nhà cung cấp đã giao, mới nhất trước: số lượng đã nhập (trừ hàng trả lại), giá nhập gần nhất, lần nhập gần nhất</translation>
    </message>
    <message>
        <source>Cancelled %1: %2</source>
        <translation>Đã hủy %1: %2</translation>
    </message>
    <message>
        <source>Paid in advance: the next deliveries are paid for already</source>
        <translation>Đã trả trước: các lần giao tới đã được trả tiền</translation>
    </message>
    <message>
        <source>%n supplier</source>
        <translation>%n nhà cung cấp</translation>
    </message>
    <message>
        <source>%n suppliers</source>
        <translation>%n nhà cung cấp</translation>
    </message>
    <message>
        <source>the first %1</source>
        <translation>%1 đầu tiên</translation>
    </message>
    <message>
        <source>Owed to suppliers: %1</source>
        <translation>Nợ nhà cung cấp: %1</translation>
    </message>
    <message>
        <source>Only the owner or a manager adjusts what the shop owes a supplier.</source>
        <translation>Chỉ chủ cửa hàng hoặc quản lý được điều chỉnh công nợ với nhà cung cấp.</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>Khôi phục</translation>
    </message>
    <message>
        <source>Archive</source>
        <translation>Lưu trữ</translation>
    </message>
    <message>
        <source>Deliveries can come from the selected supplier again</source>
        <translation>Có thể nhập hàng lại từ nhà cung cấp đang chọn</translation>
    </message>
    <message>
        <source>Goods no longer come from the selected supplier: the goods receipt screen stops offering it (its documents stay)</source>
        <translation>Không còn nhập hàng từ nhà cung cấp đang chọn: màn hình nhập hàng sẽ không gợi ý nữa (chứng từ vẫn được giữ)</translation>
    </message>
    <message>
        <source>Print the selected payment&apos;s voucher (phiếu chi), for the supplier to sign for the money</source>
        <translation>In phiếu chi của lần trả tiền đang chọn, để nhà cung cấp ký nhận tiền</translation>
    </message>
    <message>
        <source>Select a payment to print its voucher</source>
        <translation>Chọn một lần trả tiền để in phiếu chi</translation>
    </message>
    <message>
        <source>Cancel return…</source>
        <translation>Hủy phiếu trả hàng…</translation>
    </message>
    <message>
        <source>Money came back with this return: only the owner or a manager cancels it.</source>
        <translation>Nhà cung cấp đã hoàn tiền kèm phiếu trả này: chỉ chủ cửa hàng hoặc quản lý được hủy.</translation>
    </message>
    <message>
        <source>Cancel the selected return (entered by mistake): its goods come back into stock</source>
        <translation>Hủy phiếu trả hàng đang chọn (nhập nhầm): hàng được nhập lại kho</translation>
    </message>
    <message>
        <source>Only the owner or a manager cancels a payment.</source>
        <translation>Chỉ chủ cửa hàng hoặc quản lý được hủy phiếu chi.</translation>
    </message>
    <message>
        <source>Paid with goods receipt %1: cancel the receipt instead (Goods receipts page)</source>
        <translation>Đã trả cùng phiếu nhập %1: hãy hủy phiếu nhập đó (trang Nhập hàng)</translation>
    </message>
    <message>
        <source>Cancel the selected payment (entered by mistake)</source>
        <translation>Hủy phiếu chi đang chọn (nhập nhầm)</translation>
    </message>
    <message>
        <source>archived</source>
        <translation>đã lưu trữ</translation>
    </message>
    <message>
        <source>Phone: %1</source>
        <translation>Điện thoại: %1</translation>
    </message>
    <message>
        <source>Email: %1</source>
        <translation>Email: %1</translation>
    </message>
    <message>
        <source>Address: %1</source>
        <translation>Địa chỉ: %1</translation>
    </message>
    <message>
        <source>Tax code: %1</source>
        <translation>Mã số thuế: %1</translation>
    </message>
    <message>
        <source>Note: %1</source>
        <translation>Ghi chú: %1</translation>
    </message>
    <message>
        <source>No contact details: Edit… adds them.</source>
        <translation>Chưa có thông tin liên hệ: bấm Sửa… để thêm.</translation>
    </message>
    <message>
        <source>Goods receipt</source>
        <translation>Phiếu nhập hàng</translation>
    </message>
    <message>
        <source>Balance adjusted</source>
        <translation>Điều chỉnh công nợ</translation>
    </message>
    <message>
        <source>Goods sent back from %1</source>
        <translation>Trả hàng của %1</translation>
    </message>
    <message>
        <source>Money given back (%1)</source>
        <translation>NCC hoàn tiền (%1)</translation>
    </message>
    <message>
        <source>Payment (%1)</source>
        <translation>Phiếu chi (%1)</translation>
    </message>
    <message>
        <source>with %1</source>
        <translation>kèm %1</translation>
    </message>
    <message>
        <source>Opening balance (imported)</source>
        <translation>Nợ đầu kỳ (nhập từ tệp)</translation>
    </message>
    <message>
        <source>Restoring the supplier</source>
        <translation>Đang khôi phục nhà cung cấp</translation>
    </message>
    <message>
        <source>Archiving the supplier</source>
        <translation>Đang lưu trữ nhà cung cấp</translation>
    </message>
    <message>
        <source>Cancel %1</source>
        <translation>Hủy %1</translation>
    </message>
    <message>
        <source>%1 will no longer count as paid: the supplier is owed it again. Why is it cancelled?</source>
        <translation>%1 sẽ không còn được tính là đã trả: cửa hàng lại nợ nhà cung cấp khoản này. Vì sao hủy?</translation>
    </message>
    <message>
        <source>Its goods come back into stock and it no longer counts in what is owed. Why is it cancelled?</source>
        <translation>Hàng của phiếu sẽ được nhập lại kho và phiếu không còn tính vào công nợ. Vì sao hủy phiếu?</translation>
    </message>
    <message>
        <source>Cancelling the return</source>
        <translation>Đang hủy phiếu trả hàng</translation>
    </message>
    <message>
        <source>Cancelling the payment</source>
        <translation>Đang hủy phiếu chi</translation>
    </message>
    <message>
        <source>Printing…</source>
        <translation>Đang in…</translation>
    </message>
    <message>
        <source>Printed %1 to %2.</source>
        <translation>Đã in %1 ra %2.</translation>
    </message>
    <message>
        <source>Printing the voucher</source>
        <translation>Đang in phiếu chi</translation>
    </message>
    <message>
        <source>Import suppliers</source>
        <translation>Nhập danh sách nhà cung cấp</translation>
    </message>
    <message>
        <source>Spreadsheets (*.xlsx *.csv *.txt)</source>
        <translation>Bảng tính (*.xlsx *.csv *.txt)</translation>
    </message>
    <message>
        <source>Importing suppliers</source>
        <translation>Đang nhập nhà cung cấp</translation>
    </message>
    <message>
        <source>%1 rows: %2 new, %3 updated, %4 unchanged.</source>
        <translation>%1 dòng: %2 mới, %3 cập nhật, %4 không đổi.</translation>
    </message>
    <message>
        <source>Opening debts: %1 (%2).</source>
        <translation>Nợ đầu kỳ: %1 (%2).</translation>
    </message>
    <message>
        <source>%1 opening debts not applied: those suppliers were there already (Adjust… changes what is owed).</source>
        <translation>%1 khoản nợ đầu kỳ không được ghi: các nhà cung cấp này đã có sẵn (dùng Điều chỉnh… để sửa công nợ).</translation>
    </message>
    <message>
        <source>Suppliers imported</source>
        <translation>Đã nhập nhà cung cấp</translation>
    </message>
    <message>
        <source>Export suppliers</source>
        <translation>Xuất danh sách nhà cung cấp</translation>
    </message>
    <message>
        <source>Exporting suppliers</source>
        <translation>Đang xuất nhà cung cấp</translation>
    </message>
</context>
<context>
    <name>SyncPanel</name>
    <message>
        <source>Marketplace sync</source>
        <translation>Đồng bộ từ sàn</translation>
    </message>
    <message>
        <source>Waiting actions</source>
        <translation>Thao tác đang chờ</translation>
    </message>
    <message>
        <source>Shops and sync log</source>
        <translation>Gian hàng và nhật ký đồng bộ</translation>
    </message>
</context>
<context>
    <name>SyncScheduleSettings</name>
    <message>
        <source>Saved: the next syncs follow the new interval.</source>
        <extracomment>The list is read again this often while shown (the scheduler&apos;s runs move the times).</extracomment>
        <translation>Đã lưu: các lần đồng bộ tiếp theo sẽ theo chu kỳ mới.</translation>
    </message>
    <message>
        <source>Sync schedule</source>
        <translation>Lịch đồng bộ</translation>
    </message>
    <message>
        <source>While the app runs, each connected shop&apos;s new and changed orders are fetched at this interval; waiting actions (confirm, cancel, stock) go out every minute.</source>
        <translation>Khi ứng dụng đang chạy, đơn hàng mới và đơn có thay đổi của từng gian hàng đã kết nối được tải về theo chu kỳ này; các thao tác đang chờ (xác nhận, hủy đơn, tồn kho) được gửi đi mỗi phút.</translation>
    </message>
    <message>
        <source>Sync every</source>
        <translation>Đồng bộ mỗi</translation>
    </message>
    <message>
        <source> min</source>
        <translation> phút</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Shop</source>
        <translation>Gian hàng</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>Kênh bán</translation>
    </message>
    <message>
        <source>Last sync</source>
        <translation>Đồng bộ gần nhất</translation>
    </message>
    <message>
        <source>Next sync</source>
        <translation>Đồng bộ tiếp theo</translation>
    </message>
    <message>
        <source>&amp;Sync now</source>
        <translation>Đồng bộ &amp;ngay</translation>
    </message>
    <message>
        <source>Fetch the selected shop&apos;s new and changed orders now</source>
        <translation>Tải ngay đơn hàng mới và đơn có thay đổi của gian hàng đang chọn</translation>
    </message>
    <message>
        <source>No marketplace shop is connected yet: add one in Settings → Sales channels.</source>
        <translation>Chưa kết nối gian hàng sàn nào: hãy thêm trong Cài đặt → Kênh bán hàng.</translation>
    </message>
    <message>
        <source>Syncing now…</source>
        <translation>Đang đồng bộ…</translation>
    </message>
    <message>
        <source>%1 (daily API limit reached)</source>
        <translation>%1 (đã hết lượt gọi API trong ngày)</translation>
    </message>
    <message>
        <source>Not synced: disconnected</source>
        <translation>Không đồng bộ: đã ngắt kết nối</translation>
    </message>
    <message>
        <source>Not synced: authorise it again in Sales channels</source>
        <translation>Không đồng bộ: cần ủy quyền lại trong Kênh bán hàng</translation>
    </message>
    <message>
        <source>Not synced: link it in Sales channels</source>
        <translation>Không đồng bộ: hãy liên kết trong Kênh bán hàng</translation>
    </message>
    <message>
        <source>Syncing %1…</source>
        <translation>Đang đồng bộ %1…</translation>
    </message>
    <message>
        <source>Marketplace sync</source>
        <translation>Đồng bộ từ sàn</translation>
    </message>
</context>
<context>
    <name>SyncStatusWidget</name>
    <message>
        <source>Marketplace sync: click for details</source>
        <extracomment>How often the main window&apos;s indicator reads the sync as the database has it. Changes in a burst (a bulk action refreshes several lists) are counted once. ... and kick the outbox deliveries once. The connectors&apos; words a last message may be, why a shop has no connector yet and why a push cannot go to its listing (kept as plain English). What a failed action asked the platform, by its English words (read back as messages). A channel&apos;s credentials as read back (&quot;app key/secret&quot;), by their message: named in the reader&apos;s words too. Recounts asked for and not answered yet (tests wait on 0). A read of the database not answered yet (tests wait on False).</extracomment>
        <translation>Đồng bộ từ sàn: bấm để xem chi tiết</translation>
    </message>
    <message>
        <source>Syncing %s…</source>
        <translation>Đang đồng bộ %s…</translation>
    </message>
    <message>
        <source>The marketplace answered with an error, will retry</source>
        <translation>Sàn báo lỗi, sẽ thử lại</translation>
    </message>
    <message>
        <source>Sync failed</source>
        <translation>Đồng bộ bị lỗi</translation>
    </message>
    <message>
        <source>Sync failed · last synced %s</source>
        <translation>Đồng bộ bị lỗi · lần cuối đồng bộ được %s</translation>
    </message>
    <message>
        <source>Synced %s</source>
        <translation>Đã đồng bộ %s</translation>
    </message>
    <message>
        <source>Syncing %s on %s…</source>
        <translation>Đang đồng bộ %s trên máy %s…</translation>
    </message>
    <message>
        <source>%n action failed</source>
        <translation>%n thao tác bị lỗi</translation>
    </message>
    <message>
        <source>%n actions failed</source>
        <translation>%n thao tác bị lỗi</translation>
    </message>
    <message>
        <source>%n action waiting</source>
        <translation>%n thao tác đang chờ</translation>
    </message>
    <message>
        <source>%n actions waiting</source>
        <translation>%n thao tác đang chờ</translation>
    </message>
    <message>
        <source>%n action waiting for a shop to be linked in Sales channels</source>
        <translation>%n cập nhật chưa gửi được lên sàn: gian hàng chưa liên kết</translation>
    </message>
    <message>
        <source>%n actions waiting for a shop to be linked in Sales channels</source>
        <translation>%n cập nhật chưa gửi được lên sàn: gian hàng chưa liên kết</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Mất kết nối</translation>
    </message>
    <message>
        <source>Offline — %n action waiting</source>
        <translation>Mất kết nối — %n thao tác đang chờ</translation>
    </message>
    <message>
        <source>Offline — %n actions waiting</source>
        <translation>Mất kết nối — %n thao tác đang chờ</translation>
    </message>
</context>
<context>
    <name>TagsDialog</name>
    <message>
        <source>Customer tags</source>
        <translation>Thẻ khách hàng</translation>
    </message>
    <message>
        <source>New tag…</source>
        <translation>Tạo thẻ…</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>Đổi tên…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Xóa</translation>
    </message>
    <message>
        <source>Default tags can be renamed but not deleted.</source>
        <translation>Thẻ mặc định có thể đổi tên nhưng không xóa được.</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>Thẻ</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>Số khách hàng</translation>
    </message>
    <message>
        <source>default</source>
        <translation>mặc định</translation>
    </message>
    <message>
        <source>New tag</source>
        <translation>Tạo thẻ</translation>
    </message>
    <message>
        <source>Tag name:</source>
        <translation>Tên thẻ:</translation>
    </message>
    <message>
        <source>Rename tag</source>
        <translation>Đổi tên thẻ</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>Tên mới:</translation>
    </message>
    <message>
        <source>Delete tag %1? It is taken off its %n customer.</source>
        <translation>Xóa thẻ %1? Thẻ sẽ được gỡ khỏi %n khách hàng.</translation>
    </message>
    <message>
        <source>Delete tag %1? It is taken off its %n customers.</source>
        <translation>Xóa thẻ %1? Thẻ sẽ được gỡ khỏi %n khách hàng.</translation>
    </message>
    <message>
        <source>Vouchers %1 are only for this tag: they will be switched off.</source>
        <translation>Mã giảm giá %1 chỉ dành cho thẻ này: các mã này sẽ bị tắt.</translation>
    </message>
    <message>
        <source>Delete tag</source>
        <translation>Xóa thẻ</translation>
    </message>
</context>
<context>
    <name>VoucherDialog</name>
    <message>
        <source>Voucher</source>
        <translation>Mã giảm giá</translation>
    </message>
    <message>
        <source>Amount (VND)</source>
        <translation>Số tiền (₫)</translation>
    </message>
    <message>
        <source>Percentage (%)</source>
        <translation>Phần trăm (%)</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Đang áp dụng</translation>
    </message>
    <message>
        <source>Free shipping</source>
        <translation>Miễn phí vận chuyển</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Mã</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Tên</translation>
    </message>
    <message>
        <source>Discount</source>
        <translation>Giảm giá</translation>
    </message>
    <message>
        <source>Amount or %</source>
        <translation>Số tiền hoặc %</translation>
    </message>
    <message>
        <source>At most (đ, — = no cap)</source>
        <translation>Giảm tối đa (đ, — = không giới hạn)</translation>
    </message>
    <message>
        <source>Minimum order (VND)</source>
        <translation>Đơn tối thiểu (₫)</translation>
    </message>
    <message>
        <source>Valid from</source>
        <translation>Hiệu lực từ</translation>
    </message>
    <message>
        <source>Valid to (inclusive)</source>
        <translation>Hiệu lực đến (tính cả ngày này)</translation>
    </message>
    <message>
        <source>Uses in total (— = no limit)</source>
        <translation>Tổng lượt dùng (— = không giới hạn)</translation>
    </message>
    <message>
        <source>Uses per customer (— = no limit)</source>
        <translation>Lượt dùng mỗi khách (— = không giới hạn)</translation>
    </message>
    <message>
        <source>Only customers with these tags</source>
        <translation>Chỉ khách hàng có các thẻ này</translation>
    </message>
    <message>
        <source>…or of these levels</source>
        <translation>…hoặc thuộc các nhóm này</translation>
    </message>
    <message>
        <source>Used on %1 orders, which show this code: it cannot change. End this voucher and make a new one with the new code.</source>
        <translation>Đã dùng cho %1 đơn, các đơn này đều ghi mã này: không thể đổi mã. Hãy kết thúc mã này rồi tạo mã mới.</translation>
    </message>
    <message>
        <source>Saving the voucher</source>
        <translation>Đang lưu mã giảm giá</translation>
    </message>
    <message>
        <source>Cannot read “%1” as a percentage: type a whole number, e.g. 10.</source>
        <translation>Không đọc được “%1” thành phần trăm: gõ số nguyên, ví dụ 10.</translation>
    </message>
    <message>
        <source>Cannot read “%1” as an amount: type e.g. 30000, 30k or 1,5tr.</source>
        <translation>Không đọc được “%1” thành số tiền: gõ ví dụ 30000, 30k hoặc 1,5tr.</translation>
    </message>
</context>
<context>
    <name>VouchersSettings</name>
    <message>
        <source>Vouchers</source>
        <extracomment>Minimum order, uses and discount given: figures, on the right.</extracomment>
        <translation>Mã giảm giá</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Mã</translation>
    </message>
    <message>
        <source>Discount</source>
        <translation>Giảm giá</translation>
    </message>
    <message>
        <source>Minimum order</source>
        <translation>Đơn tối thiểu</translation>
    </message>
    <message>
        <source>Valid</source>
        <translation>Hiệu lực</translation>
    </message>
    <message>
        <source>Uses</source>
        <translation>Lượt dùng</translation>
    </message>
    <message>
        <source>Discount given</source>
        <translation>Đã giảm</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Đang áp dụng</translation>
    </message>
    <message>
        <source>For</source>
        <translation>Áp dụng cho</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>Thêm…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Sửa…</translation>
    </message>
    <message>
        <source>Switch on/off</source>
        <translation>Bật/tắt</translation>
    </message>
    <message>
        <source>(at most %1)</source>
        <translation>(tối đa %1)</translation>
    </message>
    <message>
        <source>free shipping</source>
        <translation>miễn phí vận chuyển</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Xóa…</translation>
    </message>
    <message>
        <source>always</source>
        <translation>luôn luôn</translation>
    </message>
    <message>
        <source>everyone</source>
        <translation>mọi khách hàng</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Có</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Không</translation>
    </message>
    <message>
        <source>Voucher saved.</source>
        <translation>Đã lưu mã giảm giá.</translation>
    </message>
    <message>
        <source>Saving the voucher</source>
        <translation>Đang lưu mã giảm giá</translation>
    </message>
    <message>
        <source>Delete the voucher %1? This cannot be undone.</source>
        <translation>Xóa mã giảm giá %1? Không thể hoàn tác.</translation>
    </message>
    <message>
        <source>Delete voucher</source>
        <translation>Xóa mã giảm giá</translation>
    </message>
    <message>
        <source>Deleting the voucher</source>
        <translation>Đang xóa mã giảm giá</translation>
    </message>
    <message>
        <source>Voucher deleted.</source>
        <translation>Đã xóa mã giảm giá.</translation>
    </message>
</context>
<context>
    <name>WelcomeWindow</name>
    <message>
        <source>Prime Distribution — welcome</source>
        <extracomment>The widest the setup / sign-in card grows (a maximised window keeps short fields). ui.ini: the email of the last sign-in on this PC, offered on the next (never a password). Switch user: the next person is not the last one (no email offered).</extracomment>
        <translation>Prime Distribution — chào mừng</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>Hai mật khẩu không khớp nhau.</translation>
    </message>
    <message>
        <source>Potential</source>
        <translation>Tiềm năng</translation>
    </message>
    <message>
        <source>Often returns</source>
        <translation>Hay hoàn hàng</translation>
    </message>
    <message>
        <source>Wrong email or password.</source>
        <translation>Sai email hoặc mật khẩu.</translation>
    </message>
    <message>
        <source>This account is disabled: ask the shop owner.</source>
        <translation>Tài khoản này đã bị khóa: hãy liên hệ chủ cửa hàng.</translation>
    </message>
    <message>
        <source>The shop name is required.</source>
        <translation>Cần nhập tên cửa hàng.</translation>
    </message>
    <message>
        <source>Your name is required.</source>
        <translation>Cần nhập họ tên của bạn.</translation>
    </message>
    <message>
        <source>The password must have at least 8 characters.</source>
        <translation>Mật khẩu phải có ít nhất 8 ký tự.</translation>
    </message>
    <message>
        <source>That is not a valid email address.</source>
        <translation>Địa chỉ email không hợp lệ.</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <source>Prime Distribution</source>
        <extracomment>The background jobs, once started (run_gui). Runs the outbox deliveries when the user queued actions (run_gui). After a restore: the shops to authorise again, said at the next sign-in.</extracomment>
        <translation>Prime Distribution</translation>
    </message>
    <message>
        <source>Preparing the demo shop…</source>
        <translation>Đang chuẩn bị cửa hàng mẫu…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>The backup %1 was restored. The damaged data was set aside as %2.</source>
        <translation>Đã khôi phục bản sao lưu %1. Dữ liệu bị hỏng đã được cất sang một bên với tên %2.</translation>
    </message>
    <message>
        <source>Restore a backup now to start the app on the data it holds; the damaged file is set aside, not deleted.</source>
        <translation>Khôi phục một bản sao lưu ngay bây giờ để mở ứng dụng với dữ liệu trong bản đó; tệp bị hỏng được cất sang một bên, không bị xóa.</translation>
    </message>
    <message>
        <source>Restore a backup…</source>
        <translation>Khôi phục bản sao lưu…</translation>
    </message>
    <message>
        <source>Another file…</source>
        <translation>Tệp khác…</translation>
    </message>
    <message>
        <source>Restore a backup</source>
        <translation>Khôi phục bản sao lưu</translation>
    </message>
    <message>
        <source>Backups in the data folder, newest first:</source>
        <translation>Các bản sao lưu trong thư mục dữ liệu, mới nhất trước:</translation>
    </message>
    <message>
        <source>Backups (*.db);;All files (*)</source>
        <translation>Bản sao lưu (*.db);;Tất cả tệp (*)</translation>
    </message>
    <message>
        <source>Prime Distribution is already open on this computer (data in %1), or `primedist sync --loop` runs on it.</source>
        <translation>Prime Distribution đang mở trên máy này (dữ liệu tại %1), hoặc `primedist sync --loop` đang chạy trên dữ liệu này.</translation>
    </message>
</context>
<context>
    <name>audit</name>
    <message>
        <source>Audit log exported</source>
        <translation>Xuất nhật ký hoạt động</translation>
    </message>
    <message>
        <source>Backup copied outside this PC</source>
        <translation>Chép bản sao lưu ra ngoài máy</translation>
    </message>
    <message>
        <source>Backup made</source>
        <translation>Tạo bản sao lưu</translation>
    </message>
    <message>
        <source>Backup restored</source>
        <translation>Khôi phục bản sao lưu</translation>
    </message>
    <message>
        <source>Carrier connected</source>
        <translation>Kết nối đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>Carrier removed</source>
        <translation>Gỡ đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>Carrier token updated</source>
        <translation>Cập nhật token đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>Customer address added</source>
        <translation>Thêm địa chỉ khách hàng</translation>
    </message>
    <message>
        <source>Customer&apos;s default address set</source>
        <translation>Đặt địa chỉ mặc định của khách hàng</translation>
    </message>
    <message>
        <source>Customer address removed</source>
        <translation>Xóa địa chỉ khách hàng</translation>
    </message>
    <message>
        <source>Staff member assigned to a customer</source>
        <translation>Phân công nhân viên phụ trách khách hàng</translation>
    </message>
    <message>
        <source>Customer picture changed</source>
        <translation>Đổi ảnh khách hàng</translation>
    </message>
    <message>
        <source>Customer added</source>
        <translation>Thêm khách hàng</translation>
    </message>
    <message>
        <source>Customers deleted</source>
        <translation>Xóa khách hàng</translation>
    </message>
    <message>
        <source>Customers merged</source>
        <translation>Gộp khách hàng</translation>
    </message>
    <message>
        <source>Customer note changed</source>
        <translation>Sửa ghi chú khách hàng</translation>
    </message>
    <message>
        <source>Customers marked as not duplicates</source>
        <translation>Đánh dấu khách hàng không trùng</translation>
    </message>
    <message>
        <source>Customer rank pinned</source>
        <translation>Giữ cố định hạng khách hàng</translation>
    </message>
    <message>
        <source>Points adjusted</source>
        <translation>Điều chỉnh điểm thưởng</translation>
    </message>
    <message>
        <source>Customer rank set by hand</source>
        <translation>Đổi hạng khách hàng thủ công</translation>
    </message>
    <message>
        <source>Customer statistics recomputed</source>
        <translation>Tính lại thống kê khách hàng</translation>
    </message>
    <message>
        <source>Customer tags changed</source>
        <translation>Sửa thẻ khách hàng</translation>
    </message>
    <message>
        <source>Customer rank unpinned</source>
        <translation>Bỏ giữ cố định hạng khách hàng</translation>
    </message>
    <message>
        <source>Customer edited</source>
        <translation>Sửa khách hàng</translation>
    </message>
    <message>
        <source>Customers exported</source>
        <translation>Xuất khách hàng</translation>
    </message>
    <message>
        <source>Customers imported</source>
        <translation>Nhập khách hàng</translation>
    </message>
    <message>
        <source>Demo data created</source>
        <translation>Tạo dữ liệu mẫu</translation>
    </message>
    <message>
        <source>Customers put in a group by hand</source>
        <translation>Chuyển khách vào nhóm thủ công</translation>
    </message>
    <message>
        <source>Customer group created</source>
        <translation>Tạo nhóm khách hàng</translation>
    </message>
    <message>
        <source>Customer group deleted</source>
        <translation>Xóa nhóm khách hàng</translation>
    </message>
    <message>
        <source>Group prices changed</source>
        <translation>Sửa bảng giá nhóm</translation>
    </message>
    <message>
        <source>Customer group edited</source>
        <translation>Sửa nhóm khách hàng</translation>
    </message>
    <message>
        <source>Shop&apos;s low-stock level set</source>
        <translation>Đặt mức sắp hết hàng của gian hàng</translation>
    </message>
    <message>
        <source>Shop&apos;s low-stock level removed</source>
        <translation>Bỏ mức sắp hết hàng của gian hàng</translation>
    </message>
    <message>
        <source>Variant&apos;s low-stock level set</source>
        <translation>Đặt mức sắp hết hàng của phân loại</translation>
    </message>
    <message>
        <source>Delivery address changed</source>
        <translation>Đổi địa chỉ giao hàng</translation>
    </message>
    <message>
        <source>Order cancelled</source>
        <translation>Hủy đơn hàng</translation>
    </message>
    <message>
        <source>Order completed</source>
        <translation>Hoàn thành đơn hàng</translation>
    </message>
    <message>
        <source>Order confirmed</source>
        <translation>Xác nhận đơn hàng</translation>
    </message>
    <message>
        <source>Order created</source>
        <translation>Tạo đơn hàng</translation>
    </message>
    <message>
        <source>Order edited</source>
        <translation>Sửa đơn hàng</translation>
    </message>
    <message>
        <source>Order flagged</source>
        <translation>Đánh dấu đơn hàng</translation>
    </message>
    <message>
        <source>Order note changed</source>
        <translation>Sửa ghi chú đơn hàng</translation>
    </message>
    <message>
        <source>Order back to pending</source>
        <translation>Đưa đơn về chờ xác nhận</translation>
    </message>
    <message>
        <source>Items exchanged</source>
        <translation>Đổi hàng</translation>
    </message>
    <message>
        <source>Return recorded</source>
        <translation>Ghi nhận trả hàng</translation>
    </message>
    <message>
        <source>Return/refund requested</source>
        <translation>Yêu cầu trả hàng/hoàn tiền</translation>
    </message>
    <message>
        <source>Order returned</source>
        <translation>Đơn đã trả hàng</translation>
    </message>
    <message>
        <source>Order handed to the carrier</source>
        <translation>Giao đơn cho đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>Order flag removed</source>
        <translation>Bỏ đánh dấu đơn hàng</translation>
    </message>
    <message>
        <source>Orders exported</source>
        <translation>Xuất đơn hàng</translation>
    </message>
    <message>
        <source>Orders imported</source>
        <translation>Nhập đơn hàng</translation>
    </message>
    <message>
        <source>Seller Center orders imported</source>
        <translation>Nhập đơn từ Seller Center</translation>
    </message>
    <message>
        <source>Marketplace action discarded</source>
        <translation>Bỏ thao tác chờ gửi lên sàn</translation>
    </message>
    <message>
        <source>Marketplace action retried</source>
        <translation>Gửi lại thao tác lên sàn</translation>
    </message>
    <message>
        <source>Product added</source>
        <translation>Thêm sản phẩm</translation>
    </message>
    <message>
        <source>Product deleted</source>
        <translation>Xóa sản phẩm</translation>
    </message>
    <message>
        <source>Product hidden</source>
        <translation>Ẩn sản phẩm</translation>
    </message>
    <message>
        <source>Prices changed</source>
        <translation>Đổi giá hàng loạt</translation>
    </message>
    <message>
        <source>Product shown again</source>
        <translation>Hiện lại sản phẩm</translation>
    </message>
    <message>
        <source>Product edited</source>
        <translation>Sửa sản phẩm</translation>
    </message>
    <message>
        <source>Products exported</source>
        <translation>Xuất sản phẩm</translation>
    </message>
    <message>
        <source>Products imported</source>
        <translation>Nhập sản phẩm</translation>
    </message>
    <message>
        <source>Price change scheduled</source>
        <translation>Lên lịch đổi giá</translation>
    </message>
    <message>
        <source>Scheduled price change edited</source>
        <translation>Sửa lịch đổi giá</translation>
    </message>
    <message>
        <source>Scheduled price change cancelled</source>
        <translation>Hủy lịch đổi giá</translation>
    </message>
    <message>
        <source>Scheduled price change started</source>
        <translation>Bắt đầu chương trình giá</translation>
    </message>
    <message>
        <source>Scheduled price change ended</source>
        <translation>Kết thúc chương trình giá</translation>
    </message>
    <message>
        <source>Scheduled price change failed</source>
        <translation>Chương trình giá thất bại</translation>
    </message>
    <message>
        <source>Purchase order placed</source>
        <translation>Đặt hàng nhập</translation>
    </message>
    <message>
        <source>Purchase order cancelled</source>
        <translation>Hủy đơn đặt hàng nhập</translation>
    </message>
    <message>
        <source>Purchase order closed</source>
        <translation>Kết thúc đơn đặt hàng nhập</translation>
    </message>
    <message>
        <source>Purchase order reopened</source>
        <translation>Mở lại đơn đặt hàng nhập</translation>
    </message>
    <message>
        <source>Purchase order changed</source>
        <translation>Sửa đơn đặt hàng nhập</translation>
    </message>
    <message>
        <source>Customer ranks recomputed</source>
        <translation>Tính lại hạng khách hàng</translation>
    </message>
    <message>
        <source>Report exported</source>
        <translation>Xuất báo cáo</translation>
    </message>
    <message>
        <source>End-of-day report exported</source>
        <translation>Xuất báo cáo cuối ngày</translation>
    </message>
    <message>
        <source>Till counted</source>
        <translation>Kiểm két</translation>
    </message>
    <message>
        <source>Goods received</source>
        <translation>Nhập hàng</translation>
    </message>
    <message>
        <source>Goods receipt cancelled</source>
        <translation>Hủy phiếu nhập hàng</translation>
    </message>
    <message>
        <source>Goods sent back to the supplier</source>
        <translation>Trả hàng nhà cung cấp</translation>
    </message>
    <message>
        <source>Return to the supplier cancelled</source>
        <translation>Hủy phiếu trả hàng nhà cung cấp</translation>
    </message>
    <message>
        <source>Goods receipts exported</source>
        <translation>Xuất phiếu nhập hàng</translation>
    </message>
    <message>
        <source>Purchase orders exported</source>
        <translation>Xuất đơn đặt hàng nhập</translation>
    </message>
    <message>
        <source>Supplier added</source>
        <translation>Thêm nhà cung cấp</translation>
    </message>
    <message>
        <source>Supplier edited</source>
        <translation>Sửa nhà cung cấp</translation>
    </message>
    <message>
        <source>Supplier archived</source>
        <translation>Lưu trữ nhà cung cấp</translation>
    </message>
    <message>
        <source>Supplier restored</source>
        <translation>Khôi phục nhà cung cấp</translation>
    </message>
    <message>
        <source>Supplier paid</source>
        <translation>Trả tiền nhà cung cấp</translation>
    </message>
    <message>
        <source>Supplier balance adjusted</source>
        <translation>Điều chỉnh công nợ nhà cung cấp</translation>
    </message>
    <message>
        <source>Supplier payment cancelled</source>
        <translation>Hủy phiếu chi nhà cung cấp</translation>
    </message>
    <message>
        <source>Customer paid a debt</source>
        <translation>Khách trả nợ</translation>
    </message>
    <message>
        <source>Customer payment cancelled</source>
        <translation>Hủy phiếu thu của khách</translation>
    </message>
    <message>
        <source>Customer balance adjusted</source>
        <translation>Điều chỉnh công nợ khách</translation>
    </message>
    <message>
        <source>Suppliers exported</source>
        <translation>Xuất danh sách nhà cung cấp</translation>
    </message>
    <message>
        <source>Suppliers imported</source>
        <translation>Đã nhập nhà cung cấp</translation>
    </message>
    <message>
        <source>Report figures rebuilt</source>
        <translation>Tính lại số liệu báo cáo</translation>
    </message>
    <message>
        <source>Customers added to a segment</source>
        <translation>Thêm khách hàng vào phân khúc</translation>
    </message>
    <message>
        <source>Segment created</source>
        <translation>Tạo phân khúc</translation>
    </message>
    <message>
        <source>Segment deleted</source>
        <translation>Xóa phân khúc</translation>
    </message>
    <message>
        <source>Segment exported</source>
        <translation>Xuất phân khúc</translation>
    </message>
    <message>
        <source>Customers removed from a segment</source>
        <translation>Bỏ khách hàng khỏi phân khúc</translation>
    </message>
    <message>
        <source>Segment renamed</source>
        <translation>Đổi tên phân khúc</translation>
    </message>
    <message>
        <source>Setting changed</source>
        <translation>Đổi cài đặt</translation>
    </message>
    <message>
        <source>Shop set up</source>
        <translation>Thiết lập cửa hàng</translation>
    </message>
    <message>
        <source>Shipment cancelled</source>
        <translation>Hủy vận đơn</translation>
    </message>
    <message>
        <source>Shipment created</source>
        <translation>Tạo vận đơn</translation>
    </message>
    <message>
        <source>Shop authorised</source>
        <translation>Ủy quyền gian hàng</translation>
    </message>
    <message>
        <source>Shop disconnected</source>
        <translation>Ngắt kết nối gian hàng</translation>
    </message>
    <message>
        <source>Marketplace listings fetched and linked</source>
        <translation>Lấy và liên kết sản phẩm đang bán trên sàn</translation>
    </message>
    <message>
        <source>Shop needs re-authorisation</source>
        <translation>Gian hàng cần ủy quyền lại</translation>
    </message>
    <message>
        <source>Marketplace app details saved</source>
        <translation>Lưu thông tin ứng dụng sàn</translation>
    </message>
    <message>
        <source>SKU added to a group</source>
        <translation>Thêm SKU vào nhóm</translation>
    </message>
    <message>
        <source>SKU group created</source>
        <translation>Tạo nhóm SKU</translation>
    </message>
    <message>
        <source>SKU group deleted</source>
        <translation>Xóa nhóm SKU</translation>
    </message>
    <message>
        <source>SKU removed from a group</source>
        <translation>Bỏ SKU khỏi nhóm</translation>
    </message>
    <message>
        <source>SKU group edited</source>
        <translation>Sửa nhóm SKU</translation>
    </message>
    <message>
        <source>SKU groups exported</source>
        <translation>Xuất nhóm SKU</translation>
    </message>
    <message>
        <source>Staff member added</source>
        <translation>Thêm nhân viên</translation>
    </message>
    <message>
        <source>Staff account disabled</source>
        <translation>Khóa tài khoản nhân viên</translation>
    </message>
    <message>
        <source>Staff account enabled</source>
        <translation>Mở khóa tài khoản nhân viên</translation>
    </message>
    <message>
        <source>Staff password reset</source>
        <translation>Đặt lại mật khẩu nhân viên</translation>
    </message>
    <message>
        <source>Staff member edited</source>
        <translation>Sửa nhân viên</translation>
    </message>
    <message>
        <source>Stock adjusted</source>
        <translation>Điều chỉnh tồn kho</translation>
    </message>
    <message>
        <source>Stock received</source>
        <translation>Nhập kho</translation>
    </message>
    <message>
        <source>Stock taken out</source>
        <translation>Xuất kho</translation>
    </message>
    <message>
        <source>Stock-take applied</source>
        <translation>Cân bằng kho</translation>
    </message>
    <message>
        <source>Tag given to customers</source>
        <translation>Gắn thẻ cho khách hàng</translation>
    </message>
    <message>
        <source>Tag created</source>
        <translation>Tạo thẻ</translation>
    </message>
    <message>
        <source>Tag deleted</source>
        <translation>Xóa thẻ</translation>
    </message>
    <message>
        <source>Tag taken from customers</source>
        <translation>Gỡ thẻ khỏi khách hàng</translation>
    </message>
    <message>
        <source>Tag renamed</source>
        <translation>Đổi tên thẻ</translation>
    </message>
    <message>
        <source>Signed in</source>
        <translation>Đăng nhập</translation>
    </message>
    <message>
        <source>Password changed</source>
        <translation>Đổi mật khẩu</translation>
    </message>
    <message>
        <source>First password set</source>
        <translation>Đặt mật khẩu lần đầu</translation>
    </message>
    <message>
        <source>Sign-in failed</source>
        <translation>Đăng nhập thất bại</translation>
    </message>
    <message>
        <source>Profile edited</source>
        <translation>Sửa hồ sơ</translation>
    </message>
    <message>
        <source>Voucher turned on</source>
        <translation>Bật mã giảm giá</translation>
    </message>
    <message>
        <source>Voucher created</source>
        <translation>Tạo mã giảm giá</translation>
    </message>
    <message>
        <source>Voucher turned off</source>
        <translation>Tắt mã giảm giá</translation>
    </message>
    <message>
        <source>Voucher deleted</source>
        <translation>Xóa mã giảm giá</translation>
    </message>
    <message>
        <source>Voucher edited</source>
        <translation>Sửa mã giảm giá</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>Nhật ký hoạt động</translation>
    </message>
    <message>
        <source>Backups</source>
        <translation>Sao lưu</translation>
    </message>
    <message>
        <source>Shipping</source>
        <translation>Vận chuyển</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>Khách hàng</translation>
    </message>
    <message>
        <source>Demo data</source>
        <translation>Dữ liệu mẫu</translation>
    </message>
    <message>
        <source>Goods receipts</source>
        <translation>Nhập hàng</translation>
    </message>
    <message>
        <source>Customer groups</source>
        <translation>Nhóm khách hàng</translation>
    </message>
    <message>
        <source>Low stock</source>
        <translation>Sắp hết hàng</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Đơn hàng</translation>
    </message>
    <message>
        <source>Marketplace actions</source>
        <translation>Thao tác gửi lên sàn</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>name</source>
        <translation>tên</translation>
    </message>
    <message>
        <source>email</source>
        <translation>email</translation>
    </message>
    <message>
        <source>role</source>
        <translation>vai trò</translation>
    </message>
    <message>
        <source>access to</source>
        <translation>quyền truy cập</translation>
    </message>
    <message>
        <source>refunds and returns</source>
        <translation>hoàn tiền và trả hàng</translation>
    </message>
    <message>
        <source>export data</source>
        <translation>xuất dữ liệu</translation>
    </message>
    <message>
        <source>active</source>
        <translation>đang hoạt động</translation>
    </message>
    <message>
        <source>restored by</source>
        <translation>người khôi phục</translation>
    </message>
    <message>
        <source>code</source>
        <translation>mã</translation>
    </message>
    <message>
        <source>phone</source>
        <translation>số điện thoại</translation>
    </message>
    <message>
        <source>phones</source>
        <translation>số điện thoại</translation>
    </message>
    <message>
        <source>actions waiting to be sent</source>
        <translation>thao tác chờ gửi</translation>
    </message>
    <message>
        <source>address</source>
        <translation>địa chỉ</translation>
    </message>
    <message>
        <source>note</source>
        <translation>ghi chú</translation>
    </message>
    <message>
        <source>reason</source>
        <translation>lý do</translation>
    </message>
    <message>
        <source>status</source>
        <translation>trạng thái</translation>
    </message>
    <message>
        <source>channel</source>
        <translation>kênh bán</translation>
    </message>
    <message>
        <source>gender</source>
        <translation>giới tính</translation>
    </message>
    <message>
        <source>birthday</source>
        <translation>ngày sinh</translation>
    </message>
    <message>
        <source>low stock level</source>
        <translation>ngưỡng sắp hết hàng</translation>
    </message>
    <message>
        <source>stock</source>
        <translation>tồn kho</translation>
    </message>
    <message>
        <source>quantity</source>
        <translation>số lượng</translation>
    </message>
    <message>
        <source>unit cost</source>
        <translation>giá vốn</translation>
    </message>
    <message>
        <source>cost</source>
        <translation>giá vốn</translation>
    </message>
    <message>
        <source>amount</source>
        <translation>số tiền</translation>
    </message>
    <message>
        <source>total</source>
        <translation>tổng cộng</translation>
    </message>
    <message>
        <source>total cost</source>
        <translation>tổng tiền hàng</translation>
    </message>
    <message>
        <source>payment method</source>
        <translation>phương thức thanh toán</translation>
    </message>
    <message>
        <source>opening float</source>
        <translation>tiền lẻ đầu ca</translation>
    </message>
    <message>
        <source>expected</source>
        <translation>dự kiến</translation>
    </message>
    <message>
        <source>counted</source>
        <translation>đếm được</translation>
    </message>
    <message>
        <source>difference</source>
        <translation>chênh lệch</translation>
    </message>
    <message>
        <source>rows</source>
        <translation>số dòng</translation>
    </message>
    <message>
        <source>added</source>
        <translation>đã thêm</translation>
    </message>
    <message>
        <source>addresses</source>
        <translation>địa chỉ</translation>
    </message>
    <message>
        <source>addresses added</source>
        <translation>địa chỉ đã thêm</translation>
    </message>
    <message>
        <source>addresses dropped</source>
        <translation>địa chỉ đã bỏ</translation>
    </message>
    <message>
        <source>adjustment</source>
        <translation>điều chỉnh</translation>
    </message>
    <message>
        <source>adjustments</source>
        <translation>điều chỉnh công nợ</translation>
    </message>
    <message>
        <source>API address</source>
        <translation>địa chỉ API</translation>
    </message>
    <message>
        <source>archived</source>
        <translation>đã lưu trữ</translation>
    </message>
    <message>
        <source>asked for</source>
        <translation>số yêu cầu</translation>
    </message>
    <message>
        <source>staff in charge</source>
        <translation>nhân viên phụ trách</translation>
    </message>
    <message>
        <source>authorisation expires</source>
        <translation>hết hạn ủy quyền</translation>
    </message>
    <message>
        <source>ranked by</source>
        <translation>xếp hạng theo</translation>
    </message>
    <message>
        <source>baud rate</source>
        <translation>tốc độ baud</translation>
    </message>
    <message>
        <source>birthday this month</source>
        <translation>sinh nhật trong tháng</translation>
    </message>
    <message>
        <source>category</source>
        <translation>danh mục</translation>
    </message>
    <message>
        <source>changed</source>
        <translation>đã thay đổi</translation>
    </message>
    <message>
        <source>changes</source>
        <translation>thay đổi</translation>
    </message>
    <message>
        <source>reason for closing</source>
        <translation>lý do đóng</translation>
    </message>
    <message>
        <source>cash on delivery</source>
        <translation>tiền thu hộ (COD)</translation>
    </message>
    <message>
        <source>colour</source>
        <translation>màu</translation>
    </message>
    <message>
        <source>columns</source>
        <translation>cột</translation>
    </message>
    <message>
        <source>created</source>
        <translation>đã tạo</translation>
    </message>
    <message>
        <source>created from</source>
        <translation>tạo từ ngày</translation>
    </message>
    <message>
        <source>created this month</source>
        <translation>tạo trong tháng</translation>
    </message>
    <message>
        <source>created until</source>
        <translation>tạo đến ngày</translation>
    </message>
    <message>
        <source>customers</source>
        <translation>khách hàng</translation>
    </message>
    <message>
        <source>customers created</source>
        <translation>khách hàng đã tạo</translation>
    </message>
    <message>
        <source>customers linked</source>
        <translation>khách hàng đã liên kết</translation>
    </message>
    <message>
        <source>cut the paper</source>
        <translation>cắt giấy</translation>
    </message>
    <message>
        <source>day</source>
        <translation>ngày</translation>
    </message>
    <message>
        <source>debts</source>
        <translation>công nợ</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>đã xóa</translation>
    </message>
    <message>
        <source>device</source>
        <translation>thiết bị</translation>
    </message>
    <message>
        <source>difference (units)</source>
        <translation>chênh lệch (số lượng)</translation>
    </message>
    <message>
        <source>difference (value)</source>
        <translation>chênh lệch (giá trị)</translation>
    </message>
    <message>
        <source>discount type</source>
        <translation>loại giảm giá</translation>
    </message>
    <message>
        <source>discount at most</source>
        <translation>giảm giá tối đa</translation>
    </message>
    <message>
        <source>discount at least</source>
        <translation>giảm giá tối thiểu</translation>
    </message>
    <message>
        <source>document</source>
        <translation>chứng từ</translation>
    </message>
    <message>
        <source>dropped addresses</source>
        <translation>địa chỉ đã bỏ</translation>
    </message>
    <message>
        <source>duplicate of</source>
        <translation>trùng với</translation>
    </message>
    <message>
        <source>ends at</source>
        <translation>kết thúc lúc</translation>
    </message>
    <message>
        <source>expected on</source>
        <translation>ngày dự kiến</translation>
    </message>
    <message>
        <source>spending</source>
        <translation>chi tiêu</translation>
    </message>
    <message>
        <source>spending at most</source>
        <translation>chi tiêu tối đa</translation>
    </message>
    <message>
        <source>spending at least</source>
        <translation>chi tiêu tối thiểu</translation>
    </message>
    <message>
        <source>marketplace shop ID</source>
        <translation>mã gian hàng trên sàn</translation>
    </message>
    <message>
        <source>Facebook</source>
        <translation>Facebook</translation>
    </message>
    <message>
        <source>wrong passwords in a row</source>
        <translation>số lần sai mật khẩu liên tiếp</translation>
    </message>
    <message>
        <source>women only</source>
        <translation>chỉ khách nữ</translation>
    </message>
    <message>
        <source>which price</source>
        <translation>loại giá</translation>
    </message>
    <message>
        <source>filter</source>
        <translation>bộ lọc</translation>
    </message>
    <message>
        <source>filters</source>
        <translation>bộ lọc</translation>
    </message>
    <message>
        <source>five orders or more</source>
        <translation>từ năm đơn trở lên</translation>
    </message>
    <message>
        <source>footer</source>
        <translation>dòng cuối</translation>
    </message>
    <message>
        <source>format</source>
        <translation>định dạng</translation>
    </message>
    <message>
        <source>free shipping</source>
        <translation>miễn phí vận chuyển</translation>
    </message>
    <message>
        <source>from</source>
        <translation>từ</translation>
    </message>
    <message>
        <source>from order</source>
        <translation>từ đơn hàng</translation>
    </message>
    <message>
        <source>genders</source>
        <translation>giới tính</translation>
    </message>
    <message>
        <source>Gold and above</source>
        <translation>hạng Vàng trở lên</translation>
    </message>
    <message>
        <source>anonymous marketplace buyers hidden</source>
        <translation>ẩn khách sàn ẩn danh</translation>
    </message>
    <message>
        <source>host</source>
        <translation>địa chỉ máy in</translation>
    </message>
    <message>
        <source>marketplace buyers</source>
        <translation>người mua trên sàn</translation>
    </message>
    <message>
        <source>IDs</source>
        <translation>mã số</translation>
    </message>
    <message>
        <source>ignored columns</source>
        <translation>cột bị bỏ qua</translation>
    </message>
    <message>
        <source>imported</source>
        <translation>đã nhập</translation>
    </message>
    <message>
        <source>items</source>
        <translation>số sản phẩm</translation>
    </message>
    <message>
        <source>kept</source>
        <translation>giữ nguyên</translation>
    </message>
    <message>
        <source>kept: the shop owes them</source>
        <translation>giữ lại: cửa hàng đang nợ khách</translation>
    </message>
    <message>
        <source>kept (still owing)</source>
        <translation>giữ lại (còn nợ)</translation>
    </message>
    <message>
        <source>kind</source>
        <translation>loại</translation>
    </message>
    <message>
        <source>kinds</source>
        <translation>loại thao tác</translation>
    </message>
    <message>
        <source>language</source>
        <translation>ngôn ngữ</translation>
    </message>
    <message>
        <source>last order from</source>
        <translation>đơn gần nhất từ ngày</translation>
    </message>
    <message>
        <source>last order until</source>
        <translation>đơn gần nhất đến ngày</translation>
    </message>
    <message>
        <source>left SKU groups</source>
        <translation>đã rời nhóm SKU</translation>
    </message>
    <message>
        <source>customer groups</source>
        <translation>nhóm khách hàng</translation>
    </message>
    <message>
        <source>customer groups created</source>
        <translation>nhóm khách hàng đã tạo</translation>
    </message>
    <message>
        <source>lines</source>
        <translation>dòng hàng</translation>
    </message>
    <message>
        <source>marketplace updates</source>
        <translation>cập nhật lên sàn</translation>
    </message>
    <message>
        <source>listings saved</source>
        <translation>tin đăng đã lưu</translation>
    </message>
    <message>
        <source>listings added</source>
        <translation>tin đăng đã thêm</translation>
    </message>
    <message>
        <source>listings linked</source>
        <translation>tin đăng đã liên kết</translation>
    </message>
    <message>
        <source>logo file</source>
        <translation>tệp logo</translation>
    </message>
    <message>
        <source>members</source>
        <translation>thành viên</translation>
    </message>
    <message>
        <source>merged</source>
        <translation>đã gộp</translation>
    </message>
    <message>
        <source>merged IDs</source>
        <translation>mã đã gộp</translation>
    </message>
    <message>
        <source>figure</source>
        <translation>chỉ số</translation>
    </message>
    <message>
        <source>minimum order</source>
        <translation>đơn tối thiểu</translation>
    </message>
    <message>
        <source>how</source>
        <translation>cách đổi</translation>
    </message>
    <message>
        <source>variations linked</source>
        <translation>phân loại đã liên kết</translation>
    </message>
    <message>
        <source>more not listed</source>
        <translation>số khác không liệt kê</translation>
    </message>
    <message>
        <source>moved</source>
        <translation>đã chuyển</translation>
    </message>
    <message>
        <source>stock movements kept</source>
        <translation>lịch sử nhập xuất được giữ lại</translation>
    </message>
    <message>
        <source>pairs newly marked</source>
        <translation>cặp mới đánh dấu</translation>
    </message>
    <message>
        <source>notes</source>
        <translation>ghi chú</translation>
    </message>
    <message>
        <source>often returns</source>
        <translation>hay trả hàng</translation>
    </message>
    <message>
        <source>on a duplicate</source>
        <translation>khi trùng</translation>
    </message>
    <message>
        <source>open the cash drawer</source>
        <translation>mở ngăn kéo tiền</translation>
    </message>
    <message>
        <source>opening stock</source>
        <translation>tồn kho ban đầu</translation>
    </message>
    <message>
        <source>order lines</source>
        <translation>dòng đơn hàng</translation>
    </message>
    <message>
        <source>orders</source>
        <translation>đơn hàng</translation>
    </message>
    <message>
        <source>orders added</source>
        <translation>đơn hàng đã thêm</translation>
    </message>
    <message>
        <source>orders rejected</source>
        <translation>đơn hàng bị từ chối</translation>
    </message>
    <message>
        <source>orders unchanged</source>
        <translation>đơn hàng không đổi</translation>
    </message>
    <message>
        <source>orders updated</source>
        <translation>đơn hàng đã cập nhật</translation>
    </message>
    <message>
        <source>owes money</source>
        <translation>đang nợ</translation>
    </message>
    <message>
        <source>paid</source>
        <translation>đã trả</translation>
    </message>
    <message>
        <source>sign-in paused for (seconds)</source>
        <translation>tạm khóa đăng nhập trong (giây)</translation>
    </message>
    <message>
        <source>paper</source>
        <translation>khổ giấy</translation>
    </message>
    <message>
        <source>partner ID</source>
        <translation>mã đối tác</translation>
    </message>
    <message>
        <source>payment</source>
        <translation>phiếu thanh toán</translation>
    </message>
    <message>
        <source>payments</source>
        <translation>thanh toán</translation>
    </message>
    <message>
        <source>uses per customer</source>
        <translation>lượt dùng tối đa mỗi khách</translation>
    </message>
    <message>
        <source>phones added</source>
        <translation>số điện thoại đã thêm</translation>
    </message>
    <message>
        <source>points entries</source>
        <translation>lịch sử điểm</translation>
    </message>
    <message>
        <source>points used</source>
        <translation>điểm đã dùng</translation>
    </message>
    <message>
        <source>port</source>
        <translation>cổng</translation>
    </message>
    <message>
        <source>show a preview first</source>
        <translation>xem trước khi in</translation>
    </message>
    <message>
        <source>price at most</source>
        <translation>giá tối đa</translation>
    </message>
    <message>
        <source>price at least</source>
        <translation>giá tối thiểu</translation>
    </message>
    <message>
        <source>printer</source>
        <translation>máy in</translation>
    </message>
    <message>
        <source>products</source>
        <translation>sản phẩm</translation>
    </message>
    <message>
        <source>products created</source>
        <translation>sản phẩm đã tạo</translation>
    </message>
    <message>
        <source>products rejected</source>
        <translation>sản phẩm bị từ chối</translation>
    </message>
    <message>
        <source>products unchanged</source>
        <translation>sản phẩm không đổi</translation>
    </message>
    <message>
        <source>products updated</source>
        <translation>sản phẩm đã cập nhật</translation>
    </message>
    <message>
        <source>ranks</source>
        <translation>hạng</translation>
    </message>
    <message>
        <source>units received</source>
        <translation>số lượng đã nhận</translation>
    </message>
    <message>
        <source>referred customers</source>
        <translation>khách được giới thiệu</translation>
    </message>
    <message>
        <source>referred by</source>
        <translation>người giới thiệu</translation>
    </message>
    <message>
        <source>refund</source>
        <translation>hoàn tiền</translation>
    </message>
    <message>
        <source>removed</source>
        <translation>đã bỏ</translation>
    </message>
    <message>
        <source>removed address</source>
        <translation>địa chỉ đã xóa</translation>
    </message>
    <message>
        <source>reserved</source>
        <translation>đang giữ</translation>
    </message>
    <message>
        <source>prices restored</source>
        <translation>giá đã khôi phục</translation>
    </message>
    <message>
        <source>return</source>
        <translation>phiếu trả hàng</translation>
    </message>
    <message>
        <source>returned</source>
        <translation>hàng trả lại</translation>
    </message>
    <message>
        <source>round to</source>
        <translation>làm tròn đến</translation>
    </message>
    <message>
        <source>rows read</source>
        <translation>số dòng đã đọc</translation>
    </message>
    <message>
        <source>rows rejected</source>
        <translation>số dòng bị từ chối</translation>
    </message>
    <message>
        <source>rule</source>
        <translation>quy tắc</translation>
    </message>
    <message>
        <source>some of them</source>
        <translation>một số mã</translation>
    </message>
    <message>
        <source>search</source>
        <translation>tìm kiếm</translation>
    </message>
    <message>
        <source>seconds</source>
        <translation>số giây</translation>
    </message>
    <message>
        <source>segment ID</source>
        <translation>mã phân khúc</translation>
    </message>
    <message>
        <source>segments</source>
        <translation>phân khúc</translation>
    </message>
    <message>
        <source>chosen rows only</source>
        <translation>chỉ các dòng đã chọn</translation>
    </message>
    <message>
        <source>delivery address</source>
        <translation>địa chỉ giao hàng</translation>
    </message>
    <message>
        <source>district</source>
        <translation>quận/huyện</translation>
    </message>
    <message>
        <source>recipient</source>
        <translation>người nhận</translation>
    </message>
    <message>
        <source>recipient&apos;s phone</source>
        <translation>số điện thoại người nhận</translation>
    </message>
    <message>
        <source>province</source>
        <translation>tỉnh/thành</translation>
    </message>
    <message>
        <source>ward</source>
        <translation>phường/xã</translation>
    </message>
    <message>
        <source>shop created</source>
        <translation>gian hàng đã tạo</translation>
    </message>
    <message>
        <source>shops</source>
        <translation>gian hàng</translation>
    </message>
    <message>
        <source>shops created</source>
        <translation>gian hàng đã tạo</translation>
    </message>
    <message>
        <source>show the price</source>
        <translation>in giá</translation>
    </message>
    <message>
        <source>show the shop&apos;s name</source>
        <translation>in tên cửa hàng</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>bỏ qua</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>source</source>
        <translation>nguồn khách</translation>
    </message>
    <message>
        <source>sources</source>
        <translation>nguồn khách</translation>
    </message>
    <message>
        <source>staff</source>
        <translation>nhân viên</translation>
    </message>
    <message>
        <source>starts at</source>
        <translation>bắt đầu lúc</translation>
    </message>
    <message>
        <source>state</source>
        <translation>trạng thái</translation>
    </message>
    <message>
        <source>statuses</source>
        <translation>trạng thái</translation>
    </message>
    <message>
        <source>stock at most</source>
        <translation>tồn kho tối đa</translation>
    </message>
    <message>
        <source>stock at least</source>
        <translation>tồn kho tối thiểu</translation>
    </message>
    <message>
        <source>stock movements</source>
        <translation>lần thay đổi tồn kho</translation>
    </message>
    <message>
        <source>stock updates to marketplaces</source>
        <translation>cập nhật tồn kho lên sàn</translation>
    </message>
    <message>
        <source>subtotal</source>
        <translation>tạm tính</translation>
    </message>
    <message>
        <source>success rate at most</source>
        <translation>tỷ lệ thành công tối đa</translation>
    </message>
    <message>
        <source>success rate at least</source>
        <translation>tỷ lệ thành công tối thiểu</translation>
    </message>
    <message>
        <source>successful orders at most</source>
        <translation>đơn thành công tối đa</translation>
    </message>
    <message>
        <source>successful orders at least</source>
        <translation>đơn thành công tối thiểu</translation>
    </message>
    <message>
        <source>kept customer</source>
        <translation>khách hàng được giữ</translation>
    </message>
    <message>
        <source>tags</source>
        <translation>thẻ</translation>
    </message>
    <message>
        <source>tags created</source>
        <translation>thẻ đã tạo</translation>
    </message>
    <message>
        <source>tax code</source>
        <translation>mã số thuế</translation>
    </message>
    <message>
        <source>template</source>
        <translation>mẫu in</translation>
    </message>
    <message>
        <source>to</source>
        <translation>đến</translation>
    </message>
    <message>
        <source>unchanged</source>
        <translation>không đổi</translation>
    </message>
    <message>
        <source>units</source>
        <translation>số lượng</translation>
    </message>
    <message>
        <source>not linked</source>
        <translation>chưa liên kết</translation>
    </message>
    <message>
        <source>updated</source>
        <translation>đã cập nhật</translation>
    </message>
    <message>
        <source>uses in total</source>
        <translation>tổng lượt dùng tối đa</translation>
    </message>
    <message>
        <source>USB product ID</source>
        <translation>mã sản phẩm USB</translation>
    </message>
    <message>
        <source>USB vendor ID</source>
        <translation>mã nhà sản xuất USB</translation>
    </message>
    <message>
        <source>value</source>
        <translation>giá trị</translation>
    </message>
    <message>
        <source>variants</source>
        <translation>phân loại</translation>
    </message>
    <message>
        <source>variants created</source>
        <translation>phân loại đã tạo</translation>
    </message>
    <message>
        <source>variants unchanged</source>
        <translation>phân loại không đổi</translation>
    </message>
    <message>
        <source>variants updated</source>
        <translation>phân loại đã cập nhật</translation>
    </message>
    <message>
        <source>vouchers switched off</source>
        <translation>mã giảm giá đã tắt</translation>
    </message>
    <message>
        <source>weight (g)</source>
        <translation>khối lượng (g)</translation>
    </message>
    <message>
        <source>period</source>
        <translation>khoảng thời gian</translation>
    </message>
    <message>
        <source>Zalo</source>
        <translation>Zalo</translation>
    </message>
    <message>
        <source>shop logo</source>
        <translation>logo cửa hàng</translation>
    </message>
    <message>
        <source>shop address</source>
        <translation>địa chỉ cửa hàng</translation>
    </message>
    <message>
        <source>shop phone number</source>
        <translation>số điện thoại cửa hàng</translation>
    </message>
    <message>
        <source>order barcode / QR code</source>
        <translation>mã vạch / mã QR của đơn</translation>
    </message>
    <message>
        <source>customer&apos;s points balance</source>
        <translation>điểm tích lũy của khách</translation>
    </message>
    <message>
        <source>SKU of each item</source>
        <translation>mã SKU từng sản phẩm</translation>
    </message>
    <message>
        <source>cashier</source>
        <translation>thu ngân</translation>
    </message>
    <message>
        <source>large text</source>
        <translation>chữ lớn</translation>
    </message>
    <message>
        <source>thank-you message</source>
        <translation>lời cảm ơn</translation>
    </message>
    <message>
        <source>folder</source>
        <translation>thư mục</translation>
    </message>
    <message>
        <source>counter, phone and chat</source>
        <translation>tại quầy, điện thoại và chat</translation>
    </message>
    <message>
        <source>Shopee</source>
        <translation>Shopee</translation>
    </message>
    <message>
        <source>Lazada</source>
        <translation>Lazada</translation>
    </message>
    <message>
        <source>TikTok Shop</source>
        <translation>TikTok Shop</translation>
    </message>
    <message>
        <source>Tiki</source>
        <translation>Tiki</translation>
    </message>
    <message>
        <source>Sales receipt</source>
        <extracomment>The printer profiles are stored by document type: named as the documents.</extracomment>
        <translation>Hóa đơn bán hàng</translation>
    </message>
    <message>
        <source>Invoice</source>
        <translation>Hóa đơn chi tiết</translation>
    </message>
    <message>
        <source>Packing slip</source>
        <translation>Phiếu giao hàng</translation>
    </message>
    <message>
        <source>selling price</source>
        <extracomment>Fields whose values are codes with a display name (ui/labels.ENUM_LABELS). Fields whose codes mean something only in their own field (a price change&apos;s &quot;amount&quot; is not a voucher&apos;s), named here: field → code → name.</extracomment>
        <translation>giá bán</translation>
    </message>
    <message>
        <source>discount price</source>
        <translation>giá khuyến mãi</translation>
    </message>
    <message>
        <source>set to a price</source>
        <translation>đặt giá mới</translation>
    </message>
    <message>
        <source>by a percentage</source>
        <translation>theo phần trăm</translation>
    </message>
    <message>
        <source>by an amount</source>
        <translation>theo số tiền</translation>
    </message>
    <message>
        <source>a percentage off the selling price</source>
        <translation>giảm % trên giá bán</translation>
    </message>
    <message>
        <source>discount price removed</source>
        <translation>bỏ giá khuyến mãi</translation>
    </message>
    <message>
        <source>amount (VND)</source>
        <translation>số tiền (₫)</translation>
    </message>
    <message>
        <source>percentage (%)</source>
        <translation>phần trăm (%)</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Có</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Không</translation>
    </message>
    <message>
        <source>shop details</source>
        <translation>thông tin cửa hàng</translation>
    </message>
    <message>
        <source>backups kept</source>
        <translation>số bản sao lưu giữ lại</translation>
    </message>
    <message>
        <source>second backup folder</source>
        <translation>thư mục sao lưu thứ hai</translation>
    </message>
    <message>
        <source>sync interval (minutes)</source>
        <translation>chu kỳ đồng bộ (phút)</translation>
    </message>
    <message>
        <source>lock after idle minutes</source>
        <translation>khóa màn hình sau số phút không thao tác</translation>
    </message>
    <message>
        <source>customer ranking</source>
        <translation>xếp hạng khách hàng</translation>
    </message>
    <message>
        <source>VND per point earned</source>
        <translation>số ₫ cho mỗi điểm tích</translation>
    </message>
    <message>
        <source>value of one point (VND)</source>
        <translation>giá trị một điểm (₫)</translation>
    </message>
    <message>
        <source>orders that earn points</source>
        <translation>đơn hàng được tích điểm</translation>
    </message>
    <message>
        <source>points pay at most (%)</source>
        <translation>điểm trả tối đa (% giá trị đơn)</translation>
    </message>
    <message>
        <source>shipping labels</source>
        <translation>tem vận chuyển</translation>
    </message>
    <message>
        <source>printers</source>
        <translation>máy in</translation>
    </message>
    <message>
        <source>print options</source>
        <translation>tùy chọn in</translation>
    </message>
    <message>
        <source>print template</source>
        <translation>mẫu in</translation>
    </message>
    <message>
        <source>marketplace link of shop</source>
        <translation>kết nối sàn của gian hàng</translation>
    </message>
    <message>
        <source>demo data</source>
        <translation>dữ liệu mẫu</translation>
    </message>
    <message>
        <source>Purchase orders</source>
        <translation>Đặt hàng nhập</translation>
    </message>
    <message>
        <source>Scheduled prices</source>
        <translation>Giá theo lịch</translation>
    </message>
    <message>
        <source>Customer ranks</source>
        <translation>Xếp hạng khách hàng</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Báo cáo</translation>
    </message>
    <message>
        <source>Segments</source>
        <translation>Phân khúc</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Cài đặt</translation>
    </message>
    <message>
        <source>Shop setup</source>
        <translation>Thiết lập cửa hàng</translation>
    </message>
    <message>
        <source>Sales channels</source>
        <translation>Kênh bán hàng</translation>
    </message>
    <message>
        <source>SKU groups</source>
        <translation>Nhóm SKU</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Nhân viên</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>Tồn kho</translation>
    </message>
    <message>
        <source>Suppliers</source>
        <translation>Nhà cung cấp</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Thẻ</translation>
    </message>
    <message>
        <source>Till</source>
        <translation>Két tiền</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>Tài khoản</translation>
    </message>
    <message>
        <source>Vouchers</source>
        <translation>Mã giảm giá</translation>
    </message>
    <message>
        <source>backup</source>
        <translation>bản sao lưu</translation>
    </message>
    <message>
        <source>carrier</source>
        <translation>đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>customer</source>
        <translation>khách hàng</translation>
    </message>
    <message>
        <source>customer group</source>
        <translation>nhóm khách hàng</translation>
    </message>
    <message>
        <source>file</source>
        <translation>tệp</translation>
    </message>
    <message>
        <source>goods receipt</source>
        <translation>phiếu nhập</translation>
    </message>
    <message>
        <source>order</source>
        <translation>đơn hàng</translation>
    </message>
    <message>
        <source>marketplace action</source>
        <translation>thao tác gửi lên sàn</translation>
    </message>
    <message>
        <source>product</source>
        <translation>sản phẩm</translation>
    </message>
    <message>
        <source>purchase order</source>
        <translation>đơn đặt hàng nhập</translation>
    </message>
    <message>
        <source>scheduled price change</source>
        <translation>lịch đổi giá</translation>
    </message>
    <message>
        <source>segment</source>
        <translation>phân khúc</translation>
    </message>
    <message>
        <source>setting</source>
        <translation>cài đặt</translation>
    </message>
    <message>
        <source>shop</source>
        <translation>gian hàng</translation>
    </message>
    <message>
        <source>SKU group</source>
        <translation>nhóm SKU</translation>
    </message>
    <message>
        <source>stock-take</source>
        <translation>phiếu kiểm kho</translation>
    </message>
    <message>
        <source>store</source>
        <translation>cửa hàng</translation>
    </message>
    <message>
        <source>supplier</source>
        <translation>nhà cung cấp</translation>
    </message>
    <message>
        <source>tag</source>
        <translation>thẻ</translation>
    </message>
    <message>
        <source>till of</source>
        <translation>két ngày</translation>
    </message>
    <message>
        <source>user</source>
        <translation>người dùng</translation>
    </message>
    <message>
        <source>variant</source>
        <translation>phân loại</translation>
    </message>
    <message>
        <source>voucher</source>
        <translation>mã giảm giá</translation>
    </message>
</context>
<context>
    <name>columns</name>
    <message>
        <source>Order ID</source>
        <translation>Mã đơn hàng</translation>
    </message>
    <message>
        <source>Shop</source>
        <translation>Gian hàng</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>Kênh bán</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Số SP</translation>
    </message>
    <message>
        <source>Order value</source>
        <translation>Giá trị đơn</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>Thanh toán</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Khách hàng</translation>
    </message>
    <message>
        <source>Not sent to the marketplace</source>
        <translation>Chưa gửi lên sàn</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Số điện thoại</translation>
    </message>
    <message>
        <source>Order date</source>
        <translation>Ngày đặt</translation>
    </message>
    <message>
        <source>Flagged</source>
        <translation>Đánh dấu</translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation>Chờ gửi lên sàn</translation>
    </message>
    <message>
        <source>Customer code</source>
        <translation>Mã khách hàng</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Họ tên</translation>
    </message>
    <message>
        <source>Rank</source>
        <extracomment>Column headers of CUSTOMERS_SPEC (context &quot;columns&quot;, as SqlTableModel translates them).</extracomment>
        <translation>Hạng</translation>
    </message>
    <message>
        <source>Customer group</source>
        <translation>Nhóm khách hàng</translation>
    </message>
    <message>
        <source>Success rate</source>
        <translation>Tỉ lệ thành công</translation>
    </message>
    <message>
        <source>Successful orders</source>
        <translation>Đơn thành công</translation>
    </message>
    <message>
        <source>Total orders</source>
        <translation>Tổng đơn</translation>
    </message>
    <message>
        <source>Segments</source>
        <translation>Phân khúc</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Thẻ</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Điểm</translation>
    </message>
    <message>
        <source>Owes</source>
        <translation>Còn nợ</translation>
    </message>
    <message>
        <source>Total spent</source>
        <translation>Tổng chi tiêu</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Ngày tạo</translation>
    </message>
    <message>
        <source>Latest transaction</source>
        <translation>Giao dịch gần nhất</translation>
    </message>
    <message>
        <source>Birthday</source>
        <translation>Ngày sinh</translation>
    </message>
    <message>
        <source>Referrer</source>
        <translation>Người giới thiệu</translation>
    </message>
    <message>
        <source>Group</source>
        <extracomment>Loaded but not shown: the price column shows the whole range.</extracomment>
        <translation>Tên nhóm</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Mã nhóm</translation>
    </message>
    <message>
        <source>Channels</source>
        <translation>Kênh bán</translation>
    </message>
    <message>
        <source>Listings</source>
        <translation>Số SKU</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Giá bán</translation>
    </message>
    <message>
        <source>Highest price</source>
        <translation>Giá cao nhất</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>Tồn kho</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>Có thể bán</translation>
    </message>
    <message>
        <source>Image</source>
        <extracomment>Column headers of PRODUCTS_SPEC (context &quot;columns&quot;, as SqlTableModel translates them).</extracomment>
        <translation>Hình ảnh</translation>
    </message>
    <message>
        <source>Product name</source>
        <translation>Tên sản phẩm</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Discount price</source>
        <translation>Giá khuyến mãi</translation>
    </message>
    <message>
        <source>On order</source>
        <translation>Chờ về</translation>
    </message>
    <message>
        <source>When</source>
        <extracomment>The audit list&apos;s column labels, marked for lupdate (SqlTableModel translates them).</extracomment>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Người dùng</translation>
    </message>
    <message>
        <source>PC</source>
        <translation>Máy</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Thao tác</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Đối tượng</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Tóm tắt</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>Trước</translation>
    </message>
    <message>
        <source>After</source>
        <translation>Sau</translation>
    </message>
</context>
<context>
    <name>customers</name>
    <message>
        <source>Female</source>
        <translation>Nữ</translation>
    </message>
    <message>
        <source>Counter</source>
        <extracomment>The points ledger&apos;s order number column (double-click: the order). An order number that opens its order (the app&apos;s link blue). Orders and points entries read at a time (newest first; &quot;Show more&quot; reads the next). Contact values without spaces to wrap at (shown cut with &quot;…&quot;, whole in the tooltip). Circle colours of initials avatars (picked from the name, so a customer keeps theirs).</extracomment>
        <translation>Tại quầy</translation>
    </message>
    <message>
        <source>Walk-in</source>
        <translation>Khách lẻ</translation>
    </message>
    <message>
        <source>Referral</source>
        <translation>Được giới thiệu</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Nhập tệp</translation>
    </message>
    <message>
        <source>Added by hand</source>
        <translation>Thêm thủ công</translation>
    </message>
    <message>
        <source>Facebook</source>
        <translation>Facebook</translation>
    </message>
    <message>
        <source>Zalo</source>
        <translation>Zalo</translation>
    </message>
    <message>
        <source>Earned</source>
        <translation>Tích điểm</translation>
    </message>
    <message>
        <source>Redeemed</source>
        <translation>Đổi điểm</translation>
    </message>
    <message>
        <source>Adjusted</source>
        <translation>Điều chỉnh</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Hoàn điểm</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Hết hạn</translation>
    </message>
    <message>
        <source>Reversed</source>
        <extracomment>An earn entry that takes points away: the order is no longer successful (or smaller).</extracomment>
        <translation>Trừ lại</translation>
    </message>
    <message>
        <source>Customers who bought in these shops</source>
        <extracomment>Range kinds: (CustomerFilter fields, value kind). Date kinds: CustomerFilter fields.</extracomment>
        <translation>Khách hàng đã mua tại các gian hàng</translation>
    </message>
    <message>
        <source>Customers in any of these segments</source>
        <translation>Khách hàng thuộc một trong các phân khúc</translation>
    </message>
    <message>
        <source>Customers of these ranks</source>
        <translation>Khách hàng thuộc các hạng</translation>
    </message>
    <message>
        <source>Customers with any of these tags</source>
        <translation>Khách hàng có một trong các thẻ</translation>
    </message>
    <message>
        <source>Customers of these genders</source>
        <translation>Khách hàng có giới tính</translation>
    </message>
    <message>
        <source>Successful orders between</source>
        <translation>Số đơn thành công trong khoảng</translation>
    </message>
    <message>
        <source>Success rate between (%)</source>
        <translation>Tỉ lệ thành công trong khoảng (%)</translation>
    </message>
    <message>
        <source>At least</source>
        <translation>Tối thiểu</translation>
    </message>
    <message>
        <source>At most</source>
        <translation>Tối đa</translation>
    </message>
    <message>
        <source>Latest transaction between</source>
        <translation>Giao dịch gần nhất trong khoảng</translation>
    </message>
    <message>
        <source>Created between</source>
        <translation>Ngày tạo trong khoảng</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Từ ngày</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Đến ngày</translation>
    </message>
    <message>
        <source>Customers from these sources</source>
        <translation>Khách hàng từ các nguồn</translation>
    </message>
    <message>
        <source>Referred by (customer code)</source>
        <translation>Người giới thiệu (mã khách hàng)</translation>
    </message>
    <message>
        <source>The start date is after the end date.</source>
        <translation>Ngày bắt đầu sau ngày kết thúc.</translation>
    </message>
    <message>
        <source>No customer has the code %1.</source>
        <translation>Không có khách hàng nào mang mã %1.</translation>
    </message>
    <message>
        <source>Enter an amount in đồng, such as %1.</source>
        <translation>Nhập số tiền bằng đồng, ví dụ %1.</translation>
    </message>
    <message>
        <source>Enter a whole number, such as 10.</source>
        <translation>Nhập một số nguyên, ví dụ 10.</translation>
    </message>
    <message>
        <source>Enter a percentage from 0 to 100.</source>
        <translation>Nhập tỉ lệ phần trăm từ 0 đến 100.</translation>
    </message>
    <message>
        <source>The lower value is above the upper one.</source>
        <translation>Giá trị tối thiểu lớn hơn giá trị tối đa.</translation>
    </message>
    <message>
        <source>Search by name, phone, customer code or email</source>
        <translation>Tìm theo tên, số điện thoại, mã khách hàng hoặc email</translation>
    </message>
    <message>
        <source>Filters</source>
        <translation>Bộ lọc</translation>
    </message>
    <message>
        <source>Shop…</source>
        <translation>Gian hàng…</translation>
    </message>
    <message>
        <source>Successful orders…</source>
        <translation>Đơn thành công…</translation>
    </message>
    <message>
        <source>Success rate…</source>
        <translation>Tỉ lệ thành công…</translation>
    </message>
    <message>
        <source>Segment…</source>
        <translation>Phân khúc…</translation>
    </message>
    <message>
        <source>Rank…</source>
        <translation>Hạng…</translation>
    </message>
    <message>
        <source>Hide anonymous buyers</source>
        <translation>Ẩn khách ẩn danh</translation>
    </message>
    <message>
        <source>Tag…</source>
        <translation>Gắn thẻ…</translation>
    </message>
    <message>
        <source>Gender…</source>
        <translation>Giới tính…</translation>
    </message>
    <message>
        <source>Successful orders ÷ finished orders (completed, cancelled or returned). Orders still waiting or on their way do not count yet; empty until an order has finished.</source>
        <extracomment>Loaded but not shown as columns. Filter chip kinds, in chip order. Quick filter toggles: CustomerFilter field names, in button order. ui.ini key: &quot;Hide anonymous buyers&quot; stays as the user left it on this PC.</extracomment>
        <translation>Đơn thành công ÷ đơn đã kết thúc (hoàn thành, đã hủy hoặc trả hàng). Đơn đang chờ hoặc đang giao chưa được tính; để trống cho đến khi có đơn kết thúc.</translation>
    </message>
    <message>
        <source>Rank: automatic, by what the customer spends (Settings → Customer ranking). It does not change prices.</source>
        <translation>Hạng: tự động theo chi tiêu của khách (Cài đặt → Xếp hạng khách hàng). Hạng không làm đổi giá bán.</translation>
    </message>
    <message>
        <source>Customer group: decides the price list the customer buys at (Settings → Customer groups &amp; price levels).</source>
        <translation>Nhóm khách hàng: quyết định bảng giá khách được mua (Cài đặt → Nhóm khách hàng &amp; bảng giá).</translation>
    </message>
    <message>
        <source>Customers in any of these groups</source>
        <translation>Khách thuộc một trong các nhóm này</translation>
    </message>
    <message>
        <source>Total spent between</source>
        <translation>Tổng chi tiêu trong khoảng</translation>
    </message>
    <message>
        <source>Delete %n customer?

The customer leaves the lists, searches, segments and tags. Their orders stay, with the buyer&apos;s name. A new order from the same phone or marketplace buyer makes a new customer. A customer who still owes money is kept.</source>
        <translation>Xóa %n khách hàng?

Khách sẽ không còn trong danh sách, tìm kiếm, phân khúc và thẻ. Đơn hàng của khách vẫn được giữ, kèm tên người mua. Đơn mới từ cùng số điện thoại hoặc tài khoản sàn sẽ tạo khách hàng mới. Khách còn nợ sẽ không bị xóa.</translation>
    </message>
    <message>
        <source>Delete %n customers?

They leave the lists, searches, segments and tags. Their orders stay, with the buyer&apos;s name. A new order from the same phone or marketplace buyer makes a new customer. Customers who still owe money are kept.</source>
        <translation>Xóa %n khách hàng?

Khách sẽ không còn trong danh sách, tìm kiếm, phân khúc và thẻ. Đơn hàng của khách vẫn được giữ, kèm tên người mua. Đơn mới từ cùng số điện thoại hoặc tài khoản sàn sẽ tạo khách hàng mới. Khách còn nợ sẽ không bị xóa.</translation>
    </message>
    <message>
        <source>%1 customers match the search and filters now, not %2 as the list showed: customers were added or changed since (a sync, an import). Go on with all %1?</source>
        <translation>Hiện có %1 khách hàng khớp với tìm kiếm và bộ lọc, không phải %2 như danh sách đang hiển thị: khách hàng đã được thêm hoặc thay đổi từ lúc đó (do đồng bộ, nhập file). Tiếp tục với cả %1 khách?</translation>
    </message>
    <message>
        <source>The list has changed</source>
        <translation>Danh sách đã thay đổi</translation>
    </message>
    <message>
        <source>Total spent…</source>
        <translation>Tổng chi tiêu…</translation>
    </message>
    <message>
        <source>Customer group…</source>
        <translation>Nhóm khách hàng…</translation>
    </message>
    <message>
        <source>Tag…</source>
        <comment>filter menu</comment>
        <translation>Thẻ…</translation>
    </message>
    <message>
        <source>Source / referrer…</source>
        <translation>Nguồn / người giới thiệu…</translation>
    </message>
    <message>
        <source>Latest transaction…</source>
        <translation>Giao dịch gần nhất…</translation>
    </message>
    <message>
        <source>Created…</source>
        <translation>Ngày tạo…</translation>
    </message>
    <message>
        <source>Quick filters:</source>
        <translation>Lọc nhanh:</translation>
    </message>
    <message>
        <source>5+ orders</source>
        <translation>Từ 5 đơn</translation>
    </message>
    <message>
        <source>Created this month</source>
        <translation>Tạo trong tháng</translation>
    </message>
    <message>
        <source>Birthday this month</source>
        <translation>Sinh nhật trong tháng</translation>
    </message>
    <message>
        <source>Gold and above</source>
        <translation>Từ hạng Vàng</translation>
    </message>
    <message>
        <source>Often returns</source>
        <translation>Hay hoàn hàng</translation>
    </message>
    <message>
        <source>Owes money</source>
        <translation>Đang nợ</translation>
    </message>
    <message>
        <source>Leave out marketplace buyers with a hidden name (such as N*****m) and no phone: nobody can call or recognise them. Stays on until you turn it off.</source>
        <translation>Ẩn khách mua trên sàn bị che tên (như N*****m) và không có số điện thoại: không thể gọi hay nhận ra họ. Giữ nguyên cho đến khi bạn tắt.</translation>
    </message>
    <message>
        <source>Clear all</source>
        <translation>Xóa tất cả</translation>
    </message>
    <message>
        <source>Add to segment…</source>
        <translation>Thêm vào phân khúc…</translation>
    </message>
    <message>
        <source>Remove from segment…</source>
        <translation>Bỏ khỏi phân khúc…</translation>
    </message>
    <message>
        <source>Untag…</source>
        <translation>Gỡ thẻ…</translation>
    </message>
    <message>
        <source>Set group…</source>
        <translation>Chuyển nhóm…</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Xóa…</translation>
    </message>
    <message>
        <source>Delete the chosen customers (their orders stay)</source>
        <translation>Xóa các khách hàng đã chọn (đơn hàng của họ vẫn được giữ)</translation>
    </message>
    <message>
        <source>Put the chosen customers in a customer group (e.g. Wholesale)</source>
        <translation>Chuyển các khách đã chọn vào một nhóm khách hàng (ví dụ Khách sỉ)</translation>
    </message>
    <message>
        <source>Clear selection</source>
        <translation>Bỏ chọn</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Xuất Excel</translation>
    </message>
    <message>
        <source>Import customers from an Excel or CSV file</source>
        <translation>Nhập khách hàng từ tệp Excel hoặc CSV</translation>
    </message>
    <message>
        <source>Add customer</source>
        <translation>Thêm khách hàng</translation>
    </message>
    <message>
        <source>%n customer</source>
        <translation>%n khách hàng</translation>
    </message>
    <message>
        <source>%n customers</source>
        <translation>%n khách hàng</translation>
    </message>
    <message>
        <source>No group</source>
        <translation>Không thuộc nhóm nào</translation>
    </message>
    <message>
        <source>Shop: %1</source>
        <translation>Gian hàng: %1</translation>
    </message>
    <message>
        <source>Successful orders</source>
        <translation>Đơn thành công</translation>
    </message>
    <message>
        <source>Success rate</source>
        <translation>Tỉ lệ thành công</translation>
    </message>
    <message>
        <source>Segment: %1</source>
        <translation>Phân khúc: %1</translation>
    </message>
    <message>
        <source>Rank: %1</source>
        <translation>Hạng: %1</translation>
    </message>
    <message>
        <source>Group: %1</source>
        <translation>Nhóm: %1</translation>
    </message>
    <message>
        <source>Tag: %1</source>
        <translation>Thẻ: %1</translation>
    </message>
    <message>
        <source>Gender: %1</source>
        <translation>Giới tính: %1</translation>
    </message>
    <message>
        <source>referred by %1</source>
        <translation>được %1 giới thiệu</translation>
    </message>
    <message>
        <source>Source: %1</source>
        <translation>Nguồn: %1</translation>
    </message>
    <message>
        <source>Latest transaction</source>
        <translation>Giao dịch gần nhất</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Ngày tạo</translation>
    </message>
    <message>
        <source>from %1</source>
        <translation>từ %1</translation>
    </message>
    <message>
        <source>up to %1</source>
        <translation>đến %1</translation>
    </message>
    <message>
        <source>The %n matching customer is selected.</source>
        <translation>Đã chọn %n khách hàng phù hợp.</translation>
    </message>
    <message>
        <source>All %n matching customers are selected.</source>
        <translation>Đã chọn tất cả %n khách hàng phù hợp.</translation>
    </message>
    <message>
        <source>%n selected</source>
        <translation>Đã chọn %n</translation>
    </message>
    <message>
        <source>Select all %n matching</source>
        <translation>Chọn tất cả %n khách hàng phù hợp</translation>
    </message>
    <message>
        <source>Export the selected customers</source>
        <translation>Xuất các khách hàng đã chọn</translation>
    </message>
    <message>
        <source>Export every customer of this view</source>
        <translation>Xuất tất cả khách hàng đang hiển thị</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>Mở…</translation>
    </message>
    <message>
        <source>Create order…</source>
        <translation>Tạo đơn hàng…</translation>
    </message>
    <message>
        <source>Adding customers to the segment</source>
        <translation>Đang thêm khách hàng vào phân khúc</translation>
    </message>
    <message>
        <source>%n customer added to the segment</source>
        <translation>Đã thêm %n khách hàng vào phân khúc</translation>
    </message>
    <message>
        <source>%n customers added to the segment</source>
        <translation>Đã thêm %n khách hàng vào phân khúc</translation>
    </message>
    <message>
        <source>(%n was in it already)</source>
        <translation>(%n khách đã có trong phân khúc từ trước)</translation>
    </message>
    <message>
        <source>(%n were in it already)</source>
        <translation>(%n khách đã có trong phân khúc từ trước)</translation>
    </message>
    <message>
        <source>Removing customers from the segment</source>
        <translation>Đang bỏ khách hàng khỏi phân khúc</translation>
    </message>
    <message>
        <source>%n customer removed from the segment</source>
        <translation>Đã bỏ %n khách hàng khỏi phân khúc</translation>
    </message>
    <message>
        <source>%n customers removed from the segment</source>
        <translation>Đã bỏ %n khách hàng khỏi phân khúc</translation>
    </message>
    <message>
        <source>(%n was not in it)</source>
        <translation>(%n khách vốn không có trong phân khúc)</translation>
    </message>
    <message>
        <source>(%n were not in it)</source>
        <translation>(%n khách vốn không có trong phân khúc)</translation>
    </message>
    <message>
        <source>Tagging customers</source>
        <translation>Đang gắn thẻ khách hàng</translation>
    </message>
    <message>
        <source>%n customer tagged</source>
        <translation>Đã gắn thẻ %n khách hàng</translation>
    </message>
    <message>
        <source>%n customers tagged</source>
        <translation>Đã gắn thẻ %n khách hàng</translation>
    </message>
    <message>
        <source>(%n already had the tag)</source>
        <translation>(%n khách đã có thẻ này từ trước)</translation>
    </message>
    <message>
        <source>Untagging customers</source>
        <translation>Đang gỡ thẻ khách hàng</translation>
    </message>
    <message>
        <source>%n customer untagged</source>
        <translation>Đã gỡ thẻ %n khách hàng</translation>
    </message>
    <message>
        <source>%n customers untagged</source>
        <translation>Đã gỡ thẻ %n khách hàng</translation>
    </message>
    <message>
        <source>(%n did not have the tag)</source>
        <translation>(%n khách vốn không có thẻ này)</translation>
    </message>
    <message>
        <source>Setting the customer group</source>
        <translation>Đang chuyển nhóm khách hàng</translation>
    </message>
    <message>
        <source>%n customer moved to that group</source>
        <translation>Đã chuyển %n khách hàng vào nhóm</translation>
    </message>
    <message>
        <source>%n customers moved to that group</source>
        <translation>Đã chuyển %n khách hàng vào nhóm</translation>
    </message>
    <message>
        <source>Delete customers</source>
        <translation>Xóa khách hàng</translation>
    </message>
    <message>
        <source>Total spent</source>
        <translation>Tổng chi tiêu</translation>
    </message>
    <message>
        <source>Deleting customers</source>
        <translation>Đang xóa khách hàng</translation>
    </message>
    <message>
        <source>No customer has the code %1: type a name, phone or code and pick the referrer in the list.</source>
        <translation>Không có khách hàng nào mã %1: hãy gõ tên, số điện thoại hoặc mã rồi chọn người giới thiệu trong danh sách.</translation>
    </message>
</context>
<context>
    <name>enum</name>
    <message>
        <source>Pending</source>
        <translation>Chờ xác nhận</translation>
    </message>
    <message>
        <source>Confirmed</source>
        <translation>Đã xác nhận</translation>
    </message>
    <message>
        <source>Shipping</source>
        <translation>Đang giao</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Hoàn thành</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Đã hủy</translation>
    </message>
    <message>
        <source>Return/Refund</source>
        <translation>Trả hàng/Hoàn tiền</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>Đã trả hàng</translation>
    </message>
    <message>
        <source>COD</source>
        <translation>COD</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>Tiền mặt</translation>
    </message>
    <message>
        <source>Bank transfer</source>
        <translation>Chuyển khoản</translation>
    </message>
    <message>
        <source>E-wallet</source>
        <translation>Ví điện tử</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>Thẻ</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Khác</translation>
    </message>
    <message>
        <source>On account</source>
        <translation>Ghi nợ</translation>
    </message>
    <message>
        <source>Marketplace</source>
        <translation>Sàn TMĐT</translation>
    </message>
    <message>
        <source>Counter sale</source>
        <translation>Bán tại quầy</translation>
    </message>
    <message>
        <source>Phone order</source>
        <translation>Đơn qua điện thoại</translation>
    </message>
    <message>
        <source>Chat order</source>
        <translation>Đơn qua chat</translation>
    </message>
    <message>
        <source>Imported</source>
        <translation>Nhập từ tệp</translation>
    </message>
    <message>
        <source>Not given</source>
        <translation>Chưa rõ</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>Nữ</translation>
    </message>
    <message>
        <source>Male</source>
        <translation>Nam</translation>
    </message>
    <message>
        <source>Ordered</source>
        <translation>Đã đặt</translation>
    </message>
    <message>
        <source>Partly received</source>
        <translation>Nhận một phần</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Đã nhận đủ</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Đã kết thúc</translation>
    </message>
    <message>
        <source>Shopee</source>
        <translation>Shopee</translation>
    </message>
    <message>
        <source>Lazada</source>
        <translation>Lazada</translation>
    </message>
    <message>
        <source>Tiki</source>
        <translation>Tiki</translation>
    </message>
    <message>
        <source>TikTok Shop</source>
        <translation>TikTok Shop</translation>
    </message>
    <message>
        <source>In store</source>
        <translation>Bán trực tiếp</translation>
    </message>
    <message>
        <source>Web store</source>
        <translation>Website</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Đang hoạt động</translation>
    </message>
    <message>
        <source>Not linked</source>
        <translation>Chưa liên kết</translation>
    </message>
    <message>
        <source>Needs re-authorisation</source>
        <translation>Cần ủy quyền lại</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Tạm dừng</translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation>Đã ngắt kết nối</translation>
    </message>
    <message>
        <source>Diamond</source>
        <translation>Kim cương</translation>
    </message>
    <message>
        <source>Gold</source>
        <translation>Vàng</translation>
    </message>
    <message>
        <source>Silver</source>
        <translation>Bạc</translation>
    </message>
    <message>
        <source>Bronze</source>
        <translation>Đồng</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>Chủ cửa hàng</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>Quản lý</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Nhân viên</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Đơn hàng</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>Khách hàng</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Cài đặt</translation>
    </message>
    <message>
        <source>Analytics</source>
        <translation>Phân tích</translation>
    </message>
    <message>
        <source>Confirm order</source>
        <translation>Xác nhận đơn</translation>
    </message>
    <message>
        <source>Cancel order</source>
        <translation>Hủy đơn</translation>
    </message>
    <message>
        <source>Update stock</source>
        <translation>Cập nhật tồn kho</translation>
    </message>
    <message>
        <source>Update listing</source>
        <translation>Cập nhật sản phẩm trên sàn</translation>
    </message>
    <message>
        <source>Book shipment</source>
        <translation>Tạo vận đơn</translation>
    </message>
    <message>
        <source>Cancel shipment</source>
        <translation>Hủy vận đơn</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <source>Something needs your attention</source>
        <translation>Cần bạn kiểm tra</translation>
    </message>
    <message>
        <source>Unexpected error</source>
        <extracomment>The signed-in session&apos;s check of the account as it stands now (the main window&apos;s: False once it signed the user out); held weakly, None while no one is signed in.</extracomment>
        <translation>Lỗi ngoài dự kiến</translation>
    </message>
    <message>
        <source>Something unexpected went wrong. Your data is safe: the unfinished change was not saved. The details below are also in the log file:</source>
        <translation>Đã xảy ra lỗi ngoài dự kiến. Dữ liệu của bạn vẫn an toàn: thay đổi đang dở chưa được lưu. Chi tiết bên dưới cũng có trong tệp nhật ký:</translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation>Sao chép chi tiết</translation>
    </message>
    <message>
        <source>(no log file)</source>
        <extracomment>Shown crash dialogs. One without a parent is owned by Python alone: without this reference it would be garbage-collected (and vanish) as soon as show_crash returns.</extracomment>
        <translation>(không có tệp nhật ký)</translation>
    </message>
</context>
<context>
    <name>exports</name>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Tệp Excel (*.xlsx)</translation>
    </message>
    <message>
        <source>PDF document (*.pdf)</source>
        <translation>Tài liệu PDF (*.pdf)</translation>
    </message>
    <message>
        <source>%1 already exists.
Do you want to replace it?</source>
        <translation>%1 đã có.
Bạn có muốn thay bằng tệp mới không?</translation>
    </message>
    <message>
        <source>%1 exported to %2.</source>
        <translation>Đã xuất %1 ra %2.</translation>
    </message>
    <message>
        <source>Export finished</source>
        <translation>Đã xuất xong</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Mở thư mục</translation>
    </message>
    <message>
        <source>Only the owner, a manager or staff with the right “Export data” may export the shop&apos;s data to a file.</source>
        <extracomment>Kept on each gated button: whether its page wants it enabled, and the page&apos;s own tooltip (the gate&apos;s tooltip hides it): a right given later puts them back without the page.</extracomment>
        <translation>Chỉ chủ cửa hàng, quản lý hoặc nhân viên có quyền “Xuất dữ liệu” mới được xuất dữ liệu cửa hàng ra tệp.</translation>
    </message>
</context>
<context>
    <name>filters</name>
    <message>
        <source>Remove this filter</source>
        <translation>Bỏ bộ lọc này</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Áp dụng</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Bỏ lọc</translation>
    </message>
    <message>
        <source>Remove this filter from the list</source>
        <translation>Bỏ bộ lọc này khỏi danh sách</translation>
    </message>
    <message>
        <source>e.g. %1 (empty: no minimum)</source>
        <extracomment>A placeholder&apos;s room beside its text in a line edit (the style sheet&apos;s padding, frame).</extracomment>
        <translation>vd. %1 (trống: không giới hạn dưới)</translation>
    </message>
    <message>
        <source>e.g. %1 (empty: no maximum)</source>
        <translation>vd. %1 (trống: không giới hạn trên)</translation>
    </message>
</context>
<context>
    <name>import_template</name>
    <message>
        <source>Template…</source>
        <extracomment>The file name offered: (Vietnamese, English).</extracomment>
        <translation>Tệp mẫu…</translation>
    </message>
    <message>
        <source>Save an empty file to fill in and import, with a sheet that says how to fill in each column</source>
        <translation>Lưu tệp mẫu trống để điền rồi nhập, kèm trang hướng dẫn cách điền từng cột</translation>
    </message>
    <message>
        <source>Save the import template</source>
        <translation>Lưu tệp mẫu nhập dữ liệu</translation>
    </message>
    <message>
        <source>Saving the import template</source>
        <translation>Đang lưu tệp mẫu</translation>
    </message>
    <message>
        <source>Import template saved</source>
        <translation>Đã lưu tệp mẫu</translation>
    </message>
    <message>
        <source>Saved %1. Fill in one row per line on its first sheet (the second sheet says how), then choose Import.</source>
        <translation>Đã lưu %1. Điền mỗi dòng một mục ở trang đầu tiên (trang thứ hai hướng dẫn cách điền), rồi bấm Nhập tệp.</translation>
    </message>
    <message>
        <source>Open the folder</source>
        <translation>Mở thư mục</translation>
    </message>
</context>
<context>
    <name>orders</name>
    <message>
        <source>Subtotal</source>
        <extracomment>The parts of the total, in the order the breakdown shows them: (field, label, sign).</extracomment>
        <translation>Tổng tiền hàng</translation>
    </message>
    <message>
        <source>Marketplace discount</source>
        <translation>Giảm giá của sàn</translation>
    </message>
    <message>
        <source>Discount code</source>
        <extracomment>The voucher and points rows&apos; captions when the order names no code or points (a channel&apos;s voucher); otherwise the code and the points show (`_voucher_caption`).</extracomment>
        <translation>Mã giảm giá</translation>
    </message>
    <message>
        <source>Points discount</source>
        <translation>Giảm giá bằng điểm</translation>
    </message>
    <message>
        <source>Shipping fee</source>
        <translation>Phí vận chuyển</translation>
    </message>
    <message>
        <source>Seller discount</source>
        <extracomment>The side panel&apos;s width (money, customer, shipments), unless its cards need more. `seller_discount` of a marketplace order: the seller&apos;s share of its promotions; of the shop&apos;s own sale: what the sale screen calls the order discount (F6).</extracomment>
        <translation>Giảm giá của shop</translation>
    </message>
    <message>
        <source>Shop promotion</source>
        <translation>Khuyến mãi của shop</translation>
    </message>
    <message>
        <source>Marketplace</source>
        <translation>Sàn TMĐT</translation>
    </message>
    <message>
        <source>Counter sale</source>
        <extracomment>Sources whose history rows are the other side&apos;s doing, whoever asked for the news. History notes the services write in English, shown translated.</extracomment>
        <translation>Bán tại quầy</translation>
    </message>
    <message>
        <source>Phone order</source>
        <translation>Đơn qua điện thoại</translation>
    </message>
    <message>
        <source>Chat order</source>
        <translation>Đơn qua chat</translation>
    </message>
    <message>
        <source>Imported</source>
        <translation>Nhập từ tệp</translation>
    </message>
    <message>
        <source>System</source>
        <extracomment>Who made a status change when no user did (OrderStatusChange.source).</extracomment>
        <translation>Hệ thống</translation>
    </message>
    <message>
        <source>Marketplace sync</source>
        <translation>Đồng bộ từ sàn</translation>
    </message>
    <message>
        <source>Carrier</source>
        <translation>Đơn vị vận chuyển</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Nhập tệp</translation>
    </message>
    <message>
        <source>New order</source>
        <translation>Đơn hàng mới</translation>
    </message>
    <message>
        <source>Product search / barcode</source>
        <translation>Tìm sản phẩm / mã vạch</translation>
    </message>
    <message>
        <source>Customer search</source>
        <translation>Tìm khách hàng</translation>
    </message>
    <message>
        <source>Cash received</source>
        <translation>Tiền khách đưa</translation>
    </message>
    <message>
        <source>Order discount</source>
        <translation>Giảm giá đơn</translation>
    </message>
    <message>
        <source>Voucher</source>
        <translation>Mã giảm giá</translation>
    </message>
    <message>
        <source>Exchange items of a receipt</source>
        <translation>Đổi hàng theo hóa đơn</translation>
    </message>
    <message>
        <source>Quantity of the selected line</source>
        <translation>Số lượng dòng đang chọn</translation>
    </message>
    <message>
        <source>Remove the selected line</source>
        <translation>Xóa dòng đang chọn</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Reprint last receipt</source>
        <translation>In lại hóa đơn gần nhất</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Paid now</source>
        <extracomment>F4&apos;s words when the sale is on account: it goes to the cash paid now.</extracomment>
        <translation>Trả ngay</translation>
    </message>
    <message>
        <source>Sold below the cost price</source>
        <extracomment>ui.ini: the type of the last order saved from a customer&apos;s Create order on this PC. Create order from a customer, the first time: a customer looked up in the list is mostly one who rang or wrote (the one at the counter is picked with F3). The delivery address is checked with the carrier this long after the last key. Products are suggested this long after the last key: a scanner types its code and Enter much faster, so a scan is looked up as a code, never listed. A price below the cost: a warning, not an error (clearance sales are allowed). Lines named by the below-cost warning (the rest: &quot;…&quot;). The total&apos;s font size (smaller when its figure would not fit: `FitLabel`). The problems and warnings keep room for up to this many lines (taken from the fields above on a low screen: they scroll); more of them scroll. The lines table keeps room for its header and three lines (a low screen: the delivery under it scrolls rather than squash the lines to nothing). What a shortened message keeps whole: a word with a digit (an order number, an amount) and the currency after an amount (&quot;451.000 ₫&quot;, &quot;451,000 VND&quot;).</extracomment>
        <translation>Bán dưới giá vốn</translation>
    </message>
    <message>
        <source>Below cost: the unit cost is %1; this line loses %2</source>
        <translation>Dưới giá vốn: giá vốn mỗi sản phẩm là %1; dòng này lỗ %2</translation>
    </message>
    <message>
        <source>Product</source>
        <extracomment>A value typed into a cell was not taken (the cell keeps its own): why, in words. Amber (with the reason as a tooltip) when the line sells below its cost. The lines came from a stored order: a fixed price is the order&apos;s, not typed.</extracomment>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Variant</source>
        <translation>Phân loại</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>SL</translation>
    </message>
    <message>
        <source>Unit price</source>
        <translation>Đơn giá</translation>
    </message>
    <message>
        <source>Discount</source>
        <translation>Giảm giá</translation>
    </message>
    <message>
        <source>Subtotal</source>
        <comment>a sale line&apos;s amount</comment>
        <translation>Thành tiền</translation>
    </message>
    <message>
        <source>In stock</source>
        <translation>Tồn kho</translation>
    </message>
    <message>
        <source>Only %1 available</source>
        <translation>Chỉ còn %1</translation>
    </message>
    <message>
        <source>The price on the order; clear it for the customer&apos;s price today</source>
        <translation>Giá trên đơn; xóa đi để dùng giá hiện tại của khách</translation>
    </message>
    <message>
        <source>Price typed by hand; clear it for the customer&apos;s price</source>
        <translation>Giá nhập tay; xóa đi để dùng giá theo khách hàng</translation>
    </message>
    <message>
        <source>Price of the level %1 (list price %2)</source>
        <translation>Giá của nhóm %1 (giá niêm yết %2)</translation>
    </message>
    <message>
        <source>Quantity “%1”: type a whole number from 1 to %2.</source>
        <translation>Số lượng “%1”: hãy nhập số nguyên từ 1 đến %2.</translation>
    </message>
    <message>
        <source>%1 cannot be more than %2.</source>
        <translation>%1 không được lớn hơn %2.</translation>
    </message>
    <message>
        <source>Discount on this line…</source>
        <extracomment>The widest the unit price column grows to show a level&apos;s name beside the price. The widest the quantity column grows (1.000.000, the most a line takes). The widest the line total grows (1.000.000.000.000, the most a line comes to). The product&apos;s name, at least, when the table has room for it. The widest the variant and SKU columns grow to their cells when there is room (a long variant &quot;Men rạn / 16 cm&quot; whole); the product takes the rest. Short of room (1024 pixels wide), the name, variant and SKU give up width in this order, each down to its floor, before the table scrolls sideways: the numbers (the line total, the stock) stay in sight, and a cut name shows whole in its tooltip. A cell edited from the keyboard is closed (Enter, Esc): the next scan is the product field&apos;s, not the cell&apos;s. The variant or SKU width the cashier dragged: theirs, room allowing. The Discount column asked for from the row menu (until the lines are cleared). The Discount column&apos;s header width (a hidden column&apos;s size hint is 0).</extracomment>
        <translation>Giảm giá dòng này…</translation>
    </message>
    <message>
        <source>New customer</source>
        <translation>Khách hàng mới</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>Không bắt buộc</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Họ tên</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Số điện thoại</translation>
    </message>
    <message>
        <source>Create customer</source>
        <translation>Tạo khách hàng</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Sell to %1 (%2)</source>
        <translation>Bán cho %1 (%2)</translation>
    </message>
    <message>
        <source>%n product of that order is no longer sold: left out.</source>
        <extracomment>In edit mode, after the changes were saved (the order&apos;s id). The delivery address&apos;s check with the shop&apos;s carrier is over (answered or not). The rows of the totals box, top to bottom. The order as loaded (edit mode), to know whether anything changed. The edited order&apos;s `updated_at` as loaded: Save refuses when it changed since. Points the edited order redeemed from this customer: theirs to use again. What the edited order (on account) added to its customer&apos;s balance: not &quot;already&quot;. The chosen customer&apos;s balance as read (customer id, owed; None: not readable). The name last searched with matches listed (a scan may be typed after it). The delivery (province, ward) last asked about to the carrier. The carrier&apos;s last answer: that (province, ward), why it cannot place it or None. The (province, ward) and number of the order just saved, whose warning stays while the fields wait for the next sale. Opened by a customer&apos;s Create order: its type is remembered when saved.</extracomment>
        <translation>%n sản phẩm của đơn đó không còn bán: đã bỏ ra.</translation>
    </message>
    <message>
        <source>%n products of that order are no longer sold: left out.</source>
        <translation>%n sản phẩm của đơn đó không còn bán: đã bỏ ra.</translation>
    </message>
    <message>
        <source>Create order</source>
        <translation>Tạo đơn hàng</translation>
    </message>
    <message>
        <source>Edit order %1</source>
        <translation>Sửa đơn hàng %1</translation>
    </message>
    <message>
        <source>Chat order (Facebook, Zalo)</source>
        <translation>Đơn qua chat (Facebook, Zalo)</translation>
    </message>
    <message>
        <source>Exchange…  (F8)</source>
        <translation>Đổi hàng…  (F8)</translation>
    </message>
    <message>
        <source>Create the shipment of the order just saved with your carrier</source>
        <translation>Tạo vận đơn cho đơn vừa lưu với hãng vận chuyển</translation>
    </message>
    <message>
        <source>Print packing slip</source>
        <translation>In phiếu giao hàng</translation>
    </message>
    <message>
        <source>Print the packing slip of the order just saved</source>
        <translation>In phiếu giao hàng của đơn vừa lưu</translation>
    </message>
    <message>
        <source>A customer brings items of a receipt back and takes others instead</source>
        <translation>Khách mang hàng của một hóa đơn đến trả và lấy hàng khác thay thế</translation>
    </message>
    <message>
        <source>Only the owner, a manager or staff with the right “Refunds and returns” may exchange items.</source>
        <translation>Chỉ chủ cửa hàng, quản lý hoặc nhân viên có quyền “Hoàn tiền và trả hàng” mới được đổi hàng.</translation>
    </message>
    <message>
        <source>Scan a barcode or type a product name or SKU, then Enter  (F2)</source>
        <translation>Quét mã vạch hoặc nhập tên sản phẩm, SKU rồi nhấn Enter  (F2)</translation>
    </message>
    <message>
        <source>Enter adds the product; +/− change the quantity of the selected line.</source>
        <translation>Enter để thêm sản phẩm; +/− để đổi số lượng dòng đang chọn.</translation>
    </message>
    <message>
        <source>Delivery</source>
        <translation>Giao hàng</translation>
    </message>
    <message>
        <source>Recipient</source>
        <translation>Người nhận</translation>
    </message>
    <message>
        <source>Street address</source>
        <translation>Số nhà, tên đường</translation>
    </message>
    <message>
        <source>Ward / commune</source>
        <translation>Phường / xã</translation>
    </message>
    <message>
        <source>Province / city</source>
        <translation>Tỉnh / thành phố</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>+ New customer</source>
        <translation>+ Khách mới</translation>
    </message>
    <message>
        <source>Walk-in</source>
        <translation>Khách lẻ</translation>
    </message>
    <message>
        <source>Sell to a walk-in customer</source>
        <translation>Bán cho khách lẻ</translation>
    </message>
    <message>
        <source>Discounts and payment</source>
        <translation>Giảm giá và thanh toán</translation>
    </message>
    <message>
        <source>Order discount (F6)</source>
        <translation>Giảm giá đơn (F6)</translation>
    </message>
    <message>
        <source>Voucher code (F7)</source>
        <translation>Mã giảm giá (F7)</translation>
    </message>
    <message>
        <source>Points to redeem</source>
        <translation>Dùng điểm</translation>
    </message>
    <message>
        <source>Payment method</source>
        <translation>Phương thức thanh toán</translation>
    </message>
    <message>
        <source>Cash received (F4)</source>
        <translation>Tiền khách đưa (F4)</translation>
    </message>
    <message>
        <source>Paid now (F4)</source>
        <translation>Trả ngay (F4)</translation>
    </message>
    <message>
        <source>Use the most</source>
        <translation>Dùng tối đa</translation>
    </message>
    <message>
        <source>What the customer pays now in cash; the rest is owed (empty: all of it)</source>
        <translation>Số tiền mặt khách trả ngay; phần còn lại ghi nợ (để trống: nợ toàn bộ)</translation>
    </message>
    <message>
        <source>Print receipt after saving</source>
        <translation>In hóa đơn sau khi lưu</translation>
    </message>
    <message>
        <source>Print the receipt on the receipt printer (Settings → Printers)</source>
        <translation>In hóa đơn trên máy in hóa đơn (Cài đặt → Máy in &amp; mẫu in)</translation>
    </message>
    <message>
        <source>Reprint last receipt  (Ctrl+P)</source>
        <translation>In lại hóa đơn gần nhất  (Ctrl+P)</translation>
    </message>
    <message>
        <source>Print the receipt of the last sale saved on this screen again</source>
        <translation>In lại hóa đơn của đơn hàng lưu gần nhất trên màn hình này</translation>
    </message>
    <message>
        <source>Save  (F9)</source>
        <translation>Lưu  (F9)</translation>
    </message>
    <message>
        <source>Save changes  (F9)</source>
        <translation>Lưu thay đổi  (F9)</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Dùng điểm</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Tổng cộng</translation>
    </message>
    <message>
        <source>Still to pay</source>
        <translation>Còn thiếu</translation>
    </message>
    <message>
        <source>Change due</source>
        <translation>Tiền thừa trả khách</translation>
    </message>
    <message>
        <source>Owed for this sale</source>
        <translation>Ghi nợ đơn này</translation>
    </message>
    <message>
        <source>Already owes</source>
        <translation>Nợ cũ</translation>
    </message>
    <message>
        <source>Exchange items</source>
        <translation>Đổi hàng</translation>
    </message>
    <message>
        <source>Order number on the receipt (type it, or scan the receipt&apos;s code):</source>
        <translation>Mã đơn trên hóa đơn (gõ vào, hoặc quét mã trên hóa đơn):</translation>
    </message>
    <message>
        <source>No product matches “%1”</source>
        <translation>Không có sản phẩm nào khớp “%1”</translation>
    </message>
    <message>
        <source>%1 in stock</source>
        <translation>còn %1</translation>
    </message>
    <message>
        <source>No customer matches “%1” — “+ New customer” adds one</source>
        <translation>Không có khách hàng nào khớp “%1” — bấm “+ Khách mới” để thêm</translation>
    </message>
    <message>
        <source>Walk-in customer</source>
        <translation>Khách lẻ</translation>
    </message>
    <message>
        <source>List prices, no points</source>
        <translation>Giá niêm yết, không tích điểm</translation>
    </message>
    <message>
        <source>%1 points</source>
        <translation>%1 điểm</translation>
    </message>
    <message>
        <source>of %1</source>
        <translation>/ %1</translation>
    </message>
    <message>
        <source>%1: “%2” is not an amount of money.</source>
        <translation>%1: “%2” không phải là số tiền.</translation>
    </message>
    <message>
        <source>Customer (F3)</source>
        <translation>Khách hàng (F3)</translation>
    </message>
    <message>
        <source>Name, phone or code</source>
        <translation>Tên, số điện thoại hoặc mã</translation>
    </message>
    <message>
        <source>The most points this sale may take (Settings → Loyalty points)</source>
        <translation>Số điểm nhiều nhất đơn này được dùng (Cài đặt → Điểm thưởng)</translation>
    </message>
    <message>
        <source>Checking the delivery address</source>
        <translation>Đang kiểm tra địa chỉ giao hàng</translation>
    </message>
    <message>
        <source>⚠ %1 The order can still be saved: check the address with the customer now.</source>
        <translation>⚠ %1 Vẫn lưu được đơn: hãy hỏi lại khách địa chỉ ngay.</translation>
    </message>
    <message>
        <source>⚠ Order %1: %2 Fix its delivery address before shipping.</source>
        <translation>⚠ Đơn %1: %2 Hãy sửa địa chỉ giao hàng trước khi gửi đi.</translation>
    </message>
    <message>
        <source>%1: “%2” is not a percentage.</source>
        <translation>%1: “%2” không phải là số phần trăm.</translation>
    </message>
    <message>
        <source>%1: a percentage must be between 0% and 100% of the goods.</source>
        <translation>%1: phần trăm phải từ 0% đến 100% tiền hàng.</translation>
    </message>
    <message>
        <source>1 point = %1</source>
        <translation>1 điểm = %1</translation>
    </message>
    <message>
        <source>Sold below cost: %1</source>
        <translation>Bán dưới giá vốn: %1</translation>
    </message>
    <message>
        <source>%1: %2 available, %3 wanted</source>
        <translation>%1: còn %2, cần %3</translation>
    </message>
    <message>
        <source>Not enough stock:
%1

Sell anyway?</source>
        <translation>Không đủ hàng:
%1

Vẫn bán?</translation>
    </message>
    <message>
        <source>Not enough stock</source>
        <translation>Không đủ hàng</translation>
    </message>
    <message>
        <source>Saved %1 — change due %2</source>
        <translation>Đã lưu %1 — tiền thừa trả khách %2</translation>
    </message>
    <message>
        <source>Saved %1 — owed %2</source>
        <translation>Đã lưu %1 — ghi nợ %2</translation>
    </message>
    <message>
        <source>Saved %1 — total %2</source>
        <translation>Đã lưu %1 — tổng cộng %2</translation>
    </message>
    <message>
        <source>No sale saved on this screen yet.</source>
        <translation>Chưa có đơn hàng nào được lưu trên màn hình này.</translation>
    </message>
    <message>
        <source>Printing the receipt of %1 again</source>
        <translation>Đang in lại hóa đơn của %1</translation>
    </message>
    <message>
        <source>Close the sale</source>
        <translation>Đóng đơn bán hàng</translation>
    </message>
    <message>
        <source>This sale is not saved. Close it and lose its lines?</source>
        <translation>Đơn này chưa được lưu. Đóng lại và bỏ các sản phẩm đã nhập?</translation>
    </message>
    <message>
        <source>Close the order</source>
        <translation>Đóng đơn hàng</translation>
    </message>
    <message>
        <source>The changes to this order are not saved. Close and lose them?</source>
        <translation>Các thay đổi của đơn này chưa được lưu. Đóng và bỏ các thay đổi?</translation>
    </message>
    <message>
        <source>Flagged</source>
        <translation>Đã đánh dấu</translation>
    </message>
    <message>
        <source>Waiting to be sent to the marketplace (sent when back online)</source>
        <translation>Đang chờ gửi lên sàn (sẽ gửi khi có mạng trở lại)</translation>
    </message>
    <message>
        <source>Show orders of these shops</source>
        <translation>Hiện đơn hàng của các gian hàng</translation>
    </message>
    <message>
        <source>Show orders paid by</source>
        <translation>Hiện đơn hàng thanh toán bằng</translation>
    </message>
    <message>
        <source>Order value between</source>
        <translation>Giá trị đơn trong khoảng</translation>
    </message>
    <message>
        <source>At least</source>
        <translation>Tối thiểu</translation>
    </message>
    <message>
        <source>At most</source>
        <translation>Tối đa</translation>
    </message>
    <message>
        <source>Orders placed</source>
        <translation>Đơn hàng đặt trong khoảng</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Từ ngày</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Đến ngày</translation>
    </message>
    <message>
        <source>Enter an amount in đồng, such as %1.</source>
        <translation>Nhập số tiền bằng đồng, ví dụ %1.</translation>
    </message>
    <message>
        <source>The lower amount is above the upper one.</source>
        <translation>Số tiền tối thiểu lớn hơn số tiền tối đa.</translation>
    </message>
    <message>
        <source>The start is after the end.</source>
        <translation>Ngày bắt đầu sau ngày kết thúc.</translation>
    </message>
    <message>
        <source>Orders in %1: %2 new, %3 updated, %4 unchanged, %5 rejected.</source>
        <translation>Đơn hàng trong %1: %2 mới, %3 cập nhật, %4 không đổi, %5 bị từ chối.</translation>
    </message>
    <message>
        <source>Search by order ID, customer name or phone</source>
        <translation>Tìm theo mã đơn, tên khách hàng hoặc số điện thoại</translation>
    </message>
    <message>
        <source>Filters</source>
        <translation>Bộ lọc</translation>
    </message>
    <message>
        <source>Shop…</source>
        <translation>Gian hàng…</translation>
    </message>
    <message>
        <source>Order value…</source>
        <translation>Giá trị đơn…</translation>
    </message>
    <message>
        <source>Payment method…</source>
        <translation>Phương thức thanh toán…</translation>
    </message>
    <message>
        <source>Order date…</source>
        <translation>Ngày đặt hàng…</translation>
    </message>
    <message>
        <source>Flagged only</source>
        <translation>Chỉ đơn đã đánh dấu</translation>
    </message>
    <message>
        <source>Clear all</source>
        <translation>Xóa tất cả</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>Xác nhận</translation>
    </message>
    <message>
        <source>Cancel orders</source>
        <translation>Hủy đơn</translation>
    </message>
    <message>
        <source>Why is this order cancelled?</source>
        <translation>Vì sao hủy đơn hàng này?</translation>
    </message>
    <message>
        <source>Why are these %n orders cancelled?</source>
        <translation>Vì sao hủy %n đơn hàng này?</translation>
    </message>
    <message>
        <source>Customer changed their mind</source>
        <translation>Khách đổi ý</translation>
    </message>
    <message>
        <source>Out of stock</source>
        <translation>Hết hàng</translation>
    </message>
    <message>
        <source>Wrong price or product</source>
        <translation>Sai giá hoặc sai sản phẩm</translation>
    </message>
    <message>
        <source>Could not reach the customer</source>
        <translation>Không liên lạc được với khách</translation>
    </message>
    <message>
        <source>Duplicate order</source>
        <translation>Đơn hàng trùng</translation>
    </message>
    <message>
        <source>Delivery failed – parcel returned</source>
        <translation>Giao không thành công – hàng hoàn về</translation>
    </message>
    <message>
        <source>Choose or type a reason</source>
        <translation>Chọn hoặc nhập lý do</translation>
    </message>
    <message>
        <source>Cancel order</source>
        <translation>Hủy đơn</translation>
    </message>
    <message>
        <source>Keep</source>
        <translation>Giữ lại</translation>
    </message>
    <message>
        <source>Its items go back into stock.</source>
        <translation>Hàng của đơn sẽ được nhập lại kho.</translation>
    </message>
    <message>
        <source>The items this order reserved or sent out go back into stock.</source>
        <translation>Hàng đơn này đang giữ hoặc đã xuất kho sẽ được nhập lại kho.</translation>
    </message>
    <message>
        <source>The items these orders reserved or sent out go back into stock.</source>
        <translation>Hàng các đơn này đang giữ hoặc đã xuất kho sẽ được nhập lại kho.</translation>
    </message>
    <message>
        <source>Ship…</source>
        <translation>Tạo vận đơn…</translation>
    </message>
    <message>
        <source>Flag</source>
        <translation>Đánh dấu</translation>
    </message>
    <message>
        <source>Unflag</source>
        <translation>Bỏ đánh dấu</translation>
    </message>
    <message>
        <source>Print the selected orders (Ctrl+P)</source>
        <translation>In các đơn đã chọn (Ctrl+P)</translation>
    </message>
    <message>
        <source>Export %n selected order to Excel</source>
        <translation>Xuất %n đơn đã chọn ra Excel</translation>
    </message>
    <message>
        <source>Export %n selected orders to Excel</source>
        <translation>Xuất %n đơn đã chọn ra Excel</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Xuất Excel</translation>
    </message>
    <message>
        <source>End of day</source>
        <translation>Cuối ngày</translation>
    </message>
    <message>
        <source>%1 and %2</source>
        <extracomment>Columns the list loads but does not show (drawn as icons instead). Column widths of this view where the spec&apos;s default is too narrow (shop names are long). How narrow the columns may get in a narrow window (1024 px: the columns above add up to 1250 px against 975 of room), so that the list does not scroll sideways: an 18-digit marketplace order ID, a short shop name beside its channel&apos;s icon, &quot;1,077,500 VND&quot;, &quot;Bank transfer&quot;, a customer&apos;s full name, a phone and a date with its time stay whole; a longer cell is cut with &quot;…&quot; and shows whole as its tooltip. With room (1366 px) the columns keep their widths. Filter chip kinds, in chip order. The chip kinds that are on/off (a checkable Filters menu item, no editor). Chips only Analytics&apos; drill-down sets (no editor: × removes them). The &quot;Walk-in customer&quot; of an order without a buyer: quiet, it is no name. Skipped orders named in a bulk result message before &quot;and N more&quot; (a marketplace&apos;s refusal is a long sentence). The Orders tab&apos;s keys for its main actions (README, Keyboard): Confirm; Ship… (G: giao hàng); the Print menu (as the sale screen&apos;s Ctrl+P reprints). The status tabs short of room: tighter (the bar&apos;s own sheet: it overrides the main window&apos;s tabs&apos; padding); what a tab saves so (padding 14 → 7 px each side, margin 2 → 0). The message bar when a bulk action did nothing (every order skipped, e.g. a cancel the marketplace refused): an error&apos;s colours, not a success&apos;s green. The status cell of an order whose marketplace action failed. Most selected orders whose channels a bulk Cancel counts on the UI thread before its dialog opens (about 35 ms for 20,000; a whole list of a million takes seconds).</extracomment>
        <translation>%1 và %2</translation>
    </message>
    <message>
        <source>This order is on %1</source>
        <translation>Đơn hàng này ở sàn %1</translation>
    </message>
    <message>
        <source>%n of these orders is on %1</source>
        <translation>%n đơn hàng trong số này ở sàn %1</translation>
    </message>
    <message>
        <source>%n of these orders are on %1</source>
        <translation>%n đơn hàng trong số này ở sàn %1</translation>
    </message>
    <message>
        <source>%n on %1</source>
        <translation>%n đơn ở sàn %1</translation>
    </message>
    <message>
        <source>%1: the app cannot cancel orders there; after cancelling it here, cancel it in %2 Seller Center too.</source>
        <translation>%1: ứng dụng không hủy được đơn trên sàn này; sau khi hủy ở đây, hãy hủy cả trong %2 Seller Center.</translation>
    </message>
    <message>
        <source>%1: the app cannot cancel orders there; after cancelling them here, cancel them in %2 Seller Center too.</source>
        <translation>%1: ứng dụng không hủy được đơn trên sàn này; sau khi hủy ở đây, hãy hủy cả các đơn đó trong %2 Seller Center.</translation>
    </message>
    <message>
        <source>%1: the app cannot cancel orders there; after cancelling them here, cancel them in those Seller Centers too.</source>
        <translation>%1: ứng dụng không hủy được đơn trên các sàn đó; sau khi hủy ở đây, hãy hủy cả các đơn đó trong Seller Center của từng sàn.</translation>
    </message>
    <message>
        <source>%n still to cancel in Seller Center: %1</source>
        <translation>còn %n đơn phải hủy trong Seller Center: %1</translation>
    </message>
    <message>
        <source>%n still to confirm in Seller Center: %1</source>
        <translation>còn %n đơn phải xác nhận trong Seller Center: %1</translation>
    </message>
    <message>
        <source>Not sent to the marketplace: %1 (Retry or Discard in the order or the Sync panel)</source>
        <translation>Chưa gửi được lên sàn: %1 (Thử lại hoặc Bỏ qua trong đơn hoặc bảng Đồng bộ)</translation>
    </message>
    <message>
        <source>Returns under way only</source>
        <translation>Chỉ đơn đang xử lý trả hàng</translation>
    </message>
    <message>
        <source>Confirm the selected orders (Ctrl+Enter)</source>
        <translation>Xác nhận các đơn đã chọn (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Create shipments with your GHN or J&amp;T account for the selected orders (Ctrl+G)</source>
        <translation>Tạo vận đơn bằng tài khoản GHN hoặc J&amp;T của bạn cho các đơn đã chọn (Ctrl+G)</translation>
    </message>
    <message>
        <source>The day&apos;s sales by payment method, refunds and cash in the drawer: check the till, print or export it</source>
        <translation>Doanh số trong ngày theo phương thức thanh toán, tiền hoàn và tiền mặt trong két: đối soát két, in hoặc xuất Excel</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>In</translation>
    </message>
    <message>
        <source>Import orders from an Excel or CSV file</source>
        <translation>Nhập đơn hàng từ tệp Excel hoặc CSV</translation>
    </message>
    <message>
        <source>Counter, phone or chat sale (F2)</source>
        <translation>Bán tại quầy, qua điện thoại hoặc chat (F2)</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Tất cả</translation>
    </message>
    <message>
        <source>%n order</source>
        <translation>%n đơn hàng</translation>
    </message>
    <message>
        <source>%n orders</source>
        <translation>%n đơn hàng</translation>
    </message>
    <message>
        <source>Counting orders</source>
        <translation>Đang đếm đơn hàng</translation>
    </message>
    <message>
        <source>Shop: %1</source>
        <translation>Gian hàng: %1</translation>
    </message>
    <message>
        <source>Value: %1 – %2</source>
        <translation>Giá trị: %1 – %2</translation>
    </message>
    <message>
        <source>Value: from %1</source>
        <translation>Giá trị: từ %1</translation>
    </message>
    <message>
        <source>Value: up to %1</source>
        <translation>Giá trị: đến %1</translation>
    </message>
    <message>
        <source>Payment: %1</source>
        <translation>Thanh toán: %1</translation>
    </message>
    <message>
        <source>Date: %1 – %2</source>
        <translation>Ngày: %1 – %2</translation>
    </message>
    <message>
        <source>Date: from %1</source>
        <translation>Ngày: từ %1</translation>
    </message>
    <message>
        <source>Date: until %1</source>
        <translation>Ngày: đến %1</translation>
    </message>
    <message>
        <source>Return under way</source>
        <translation>Đang xử lý trả hàng</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>không rõ</translation>
    </message>
    <message>
        <source>Counted in revenue</source>
        <translation>Tính vào doanh thu</translation>
    </message>
    <message>
        <source>Province/city: %1</source>
        <translation>Tỉnh/TP: %1</translation>
    </message>
    <message>
        <source>Carrier: %1</source>
        <translation>Đơn vị vận chuyển: %1</translation>
    </message>
    <message>
        <source>Product: %1</source>
        <translation>Sản phẩm: %1</translation>
    </message>
    <message>
        <source>%n selected</source>
        <translation>Đã chọn %n</translation>
    </message>
    <message>
        <source>Export every order of this view to Excel</source>
        <translation>Xuất tất cả đơn đang hiển thị ra Excel</translation>
    </message>
    <message>
        <source>Export (%n)</source>
        <translation>Xuất (%n)</translation>
    </message>
    <message>
        <source>Export %n selected order</source>
        <translation>Xuất %n đơn đã chọn</translation>
    </message>
    <message>
        <source>Export %n selected orders</source>
        <translation>Xuất %n đơn đã chọn</translation>
    </message>
    <message>
        <source>Confirming orders</source>
        <translation>Đang xác nhận đơn hàng</translation>
    </message>
    <message>
        <source>%n order confirmed</source>
        <translation>Đã xác nhận %n đơn hàng</translation>
    </message>
    <message>
        <source>%n orders confirmed</source>
        <translation>Đã xác nhận %n đơn hàng</translation>
    </message>
    <message>
        <source>Counting the orders to cancel</source>
        <translation>Đang đếm các đơn hàng sẽ hủy</translation>
    </message>
    <message>
        <source>Cancelling orders</source>
        <translation>Đang hủy đơn hàng</translation>
    </message>
    <message>
        <source>%n order cancelled</source>
        <translation>Đã hủy %n đơn hàng</translation>
    </message>
    <message>
        <source>%n orders cancelled</source>
        <translation>Đã hủy %n đơn hàng</translation>
    </message>
    <message>
        <source>%n order flagged</source>
        <translation>Đã đánh dấu %n đơn hàng</translation>
    </message>
    <message>
        <source>%n orders flagged</source>
        <translation>Đã đánh dấu %n đơn hàng</translation>
    </message>
    <message>
        <source>%n order unflagged</source>
        <translation>Đã bỏ đánh dấu %n đơn hàng</translation>
    </message>
    <message>
        <source>%n orders unflagged</source>
        <translation>Đã bỏ đánh dấu %n đơn hàng</translation>
    </message>
    <message>
        <source>Flagging orders</source>
        <translation>Đang cập nhật đánh dấu</translation>
    </message>
    <message>
        <source>and %n more order</source>
        <translation>và %n đơn khác</translation>
    </message>
    <message>
        <source>and %n more orders</source>
        <translation>và %n đơn khác</translation>
    </message>
    <message>
        <source>%n skipped: %1</source>
        <translation>bỏ qua %n: %1</translation>
    </message>
    <message>
        <source>no longer exists</source>
        <translation>không còn tồn tại</translation>
    </message>
    <message>
        <source>Export orders</source>
        <translation>Xuất đơn hàng</translation>
    </message>
    <message>
        <source>Exporting orders</source>
        <translation>Đang xuất đơn hàng</translation>
    </message>
    <message>
        <source>%n order exported to %1.</source>
        <translation>Đã xuất %n đơn hàng ra %1.</translation>
    </message>
    <message>
        <source>%n orders exported to %1.</source>
        <translation>Đã xuất %n đơn hàng ra %1.</translation>
    </message>
    <message>
        <source>Export finished</source>
        <translation>Đã xuất xong</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Mở thư mục</translation>
    </message>
    <message>
        <source>Import orders</source>
        <translation>Nhập đơn hàng</translation>
    </message>
    <message>
        <source>Orders file (*.xlsx *.csv *.txt)</source>
        <translation>Tệp đơn hàng (*.xlsx *.csv *.txt)</translation>
    </message>
    <message>
        <source>Reading the file</source>
        <translation>Đang đọc tệp</translation>
    </message>
    <message>
        <source>Importing orders</source>
        <translation>Đang nhập đơn hàng</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>Mở…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Sửa đơn…</translation>
    </message>
    <message>
        <source>Order again…</source>
        <translation>Đặt lại…</translation>
    </message>
    <message>
        <source>Shopee order export</source>
        <extracomment>The Seller Center layouts offered, in this order.</extracomment>
        <translation>Tệp xuất đơn hàng Shopee</translation>
    </message>
    <message>
        <source>Lazada order export</source>
        <translation>Tệp xuất đơn hàng Lazada</translation>
    </message>
    <message>
        <source>TikTok Shop order export</source>
        <translation>Tệp xuất đơn hàng TikTok Shop</translation>
    </message>
    <message>
        <source>Order template</source>
        <translation>Mẫu nhập đơn hàng</translation>
    </message>
    <message>
        <source>Import a Seller Center export</source>
        <translation>Nhập tệp xuất từ Seller Center</translation>
    </message>
    <message>
        <source>A shop of the export&apos;s channel; a new name adds a shop (not linked)</source>
        <translation>Gian hàng thuộc kênh của tệp xuất; nhập tên mới để thêm gian hàng (chưa liên kết)</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Tệp</translation>
    </message>
    <message>
        <source>Layout</source>
        <translation>Định dạng</translation>
    </message>
    <message>
        <source>Shop</source>
        <translation>Gian hàng</translation>
    </message>
    <message>
        <source>No shop of this channel yet: type a name to add one.</source>
        <translation>Kênh này chưa có gian hàng: nhập tên để thêm mới.</translation>
    </message>
    <message>
        <source>Exchange for order %1</source>
        <extracomment>Saved: what the cashier reads once this screen has closed (the new order and what changes hands: the change due, what to give back). The exchange as last priced (None until priced or when it cannot be).</extracomment>
        <translation>Đổi hàng cho đơn %1</translation>
    </message>
    <message>
        <source>Returned items</source>
        <translation>Hàng trả lại</translation>
    </message>
    <message>
        <source>Off what they owe</source>
        <translation>Trừ vào công nợ</translation>
    </message>
    <message>
        <source>Give back</source>
        <translation>Trả lại khách</translation>
    </message>
    <message>
        <source>To pay</source>
        <translation>Khách cần trả</translation>
    </message>
    <message>
        <source>Exchange %1 saved — %2 off what they owe</source>
        <translation>Đã lưu đơn đổi hàng %1 — trừ %2 vào công nợ của khách</translation>
    </message>
    <message>
        <source>Exchange %1 saved — give back %2</source>
        <translation>Đã lưu đơn đổi hàng %1 — trả lại khách %2</translation>
    </message>
    <message>
        <source>Exchange %1 saved — change due %2</source>
        <translation>Đã lưu đơn đổi hàng %1 — tiền thừa trả khách %2</translation>
    </message>
    <message>
        <source>Exchange %1 saved — paid %2</source>
        <translation>Đã lưu đơn đổi hàng %1 — khách đã trả %2</translation>
    </message>
</context>
<context>
    <name>printing</name>
    <message>
        <source>Receipt</source>
        <extracomment>A preview shows at most this many orders: Qt&apos;s dialog draws every page on the UI thread when it opens (672 invoices: ~2.3 s); Print and Save as PDF make them all. lupdate extracts translate(&quot;Context&quot;, &quot;literal&quot;) calls, not a wrapper&apos;s.</extracomment>
        <translation>Hóa đơn bán hàng</translation>
    </message>
    <message>
        <source>Invoice</source>
        <translation>Hóa đơn chi tiết</translation>
    </message>
    <message>
        <source>Packing slip</source>
        <translation>Phiếu giao hàng</translation>
    </message>
    <message>
        <source>Save as PDF</source>
        <extracomment>What `keep_alive` holds, by a key of its own (released when the object is destroyed). The last error box (tests press its buttons). The sale screen&apos;s &quot;Print receipt after saving&quot;: with no printer set up, the failure box offers to untick it (a shop without a printer is not told after every sale). Where a failure is said instead of the modal box (the sale screen&apos;s banner).</extracomment>
        <translation>Lưu thành PDF</translation>
    </message>
    <message>
        <source>PDF document (*.pdf)</source>
        <translation>Tài liệu PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Print preview — %1</source>
        <translation>Xem trước khi in — %1</translation>
    </message>
    <message>
        <source>(the first %1 of %2 orders)</source>
        <translation>(%1 đơn đầu tiên trong %2 đơn)</translation>
    </message>
    <message>
        <source>Copied: paste it into the chat with the customer</source>
        <translation>Đã sao chép: dán vào khung chat với khách hàng</translation>
    </message>
    <message>
        <source>Printing %1</source>
        <translation>Đang in %1</translation>
    </message>
    <message>
        <source>Test page printed to %1</source>
        <translation>Đã in trang thử ra %1</translation>
    </message>
    <message>
        <source>Printing a test page</source>
        <translation>Đang in trang thử</translation>
    </message>
    <message>
        <source>%1 printed to %2</source>
        <translation>Đã in %1 ra %2</translation>
    </message>
    <message>
        <source>%n documents printed to %2</source>
        <translation>Đã in %n chứng từ ra %2</translation>
    </message>
    <message>
        <source>The document&apos;s template is broken, so nothing was printed: %1
Fix the template in Settings → Printers &amp; templates.</source>
        <translation>Mẫu in của chứng từ này bị lỗi nên chưa in được: %1
Hãy sửa mẫu trong Cài đặt → Máy in &amp; mẫu in.</translation>
    </message>
    <message>
        <source>No printer is chosen: choose a printer above, then print the test page again.</source>
        <translation>Chưa chọn máy in: hãy chọn máy in ở phía trên, rồi in lại trang thử.</translation>
    </message>
    <message>
        <source>No printer is set up yet, so nothing was printed.</source>
        <translation>Chưa cài đặt máy in nên chưa in được.</translation>
    </message>
    <message>
        <source>No printer set up</source>
        <translation>Chưa cài đặt máy in</translation>
    </message>
    <message>
        <source>Printing failed</source>
        <translation>In không thành công</translation>
    </message>
    <message>
        <source>Fix the printer, then press Retry.</source>
        <translation>Hãy kiểm tra máy in, rồi bấm Thử lại.</translation>
    </message>
    <message>
        <source>Preview / Save as PDF</source>
        <translation>Xem trước / Lưu PDF</translation>
    </message>
    <message>
        <source>Open printer settings</source>
        <translation>Mở cài đặt máy in</translation>
    </message>
    <message>
        <source>You can see it on screen and save it as a PDF.</source>
        <translation>Bạn có thể xem trên màn hình và lưu thành file PDF.</translation>
    </message>
    <message>
        <source>To print on paper, choose a printer in the printer settings.</source>
        <translation>Muốn in ra giấy, hãy chọn máy in trong phần cài đặt máy in.</translation>
    </message>
    <message>
        <source>To print on paper, ask the shop owner to choose a printer (Settings → Printers &amp; templates).</source>
        <translation>Muốn in ra giấy, hãy nhờ chủ cửa hàng chọn máy in (Cài đặt → Máy in &amp; mẫu in).</translation>
    </message>
    <message>
        <source>Don&apos;t print after saving</source>
        <translation>Không in sau khi lưu</translation>
    </message>
    <message>
        <source>No printer at this counter? Press &quot;Don&apos;t print after saving&quot;: the next sales will not try to print.</source>
        <translation>Quầy này không có máy in? Bấm “Không in sau khi lưu”: các đơn sau sẽ không in nữa.</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Thử lại</translation>
    </message>
    <message>
        <source>Printers &amp; templates</source>
        <translation>Máy in &amp; mẫu in</translation>
    </message>
    <message>
        <source>Save as PDF…</source>
        <translation>Lưu thành PDF…</translation>
    </message>
    <message>
        <source>Shipping labels</source>
        <extracomment>Where the document of a print or an opening goes (beside the labels fetched).</extracomment>
        <translation>Nhãn vận đơn</translation>
    </message>
    <message>
        <source>Print preview</source>
        <translation>Xem trước khi in</translation>
    </message>
    <message>
        <source>Copy as text (to send by Zalo, Messenger…)</source>
        <translation>Sao chép nội dung (để gửi qua Zalo, Messenger…)</translation>
    </message>
    <message>
        <source>One print job per order</source>
        <translation>Mỗi đơn hàng một lệnh in</translation>
    </message>
    <message>
        <source>No printer is chosen for the labels: choose one in Products → Print labels (or give --printer NAME).</source>
        <extracomment>Space inside a label&apos;s edge (mm): die-cut labels shift a little on the roll. Labels per printer job: a job cannot be cancelled once sent, so big prints go in parts. The text sizes (points) of a 22 mm tall label; taller labels scale them up. The smallest type a long variant shrinks to before it wraps (a 203 dpi printer&apos;s limit). A variant too long for one line even in MIN_TEXT_PT wraps to this many lines at most.</extracomment>
        <translation>Chưa chọn máy in tem: hãy chọn trong Sản phẩm → In tem mã vạch (hoặc dùng --printer TÊN).</translation>
    </message>
    <message>
        <source>The printer %1 could not start the job.</source>
        <extracomment>lupdate extracts translate(&quot;Context&quot;, &quot;literal&quot;) calls, not a wrapper&apos;s. Faces with every Vietnamese letter and ₫ (Noto/DejaVu on Linux, Arial/Segoe on Windows). The page footer of a multi-page document: its size, and its distance below the content. The document&apos;s title (the order number…): in the page footer of a long one. `&lt;a name=&quot;keep-to-end&quot;&gt;&lt;/a&gt;` in a template: the document from there to its end (an invoice&apos;s totals, note and signatures) is kept on one page.</extracomment>
        <translation>Máy in %1 không bắt đầu in được.</translation>
    </message>
    <message>
        <source>No printer is chosen for this document: choose one in Settings → Printers &amp; templates.</source>
        <translation>Chưa chọn máy in cho loại chứng từ này: hãy chọn trong Cài đặt → Máy in &amp; mẫu in.</translation>
    </message>
    <message>
        <source>No printer is chosen for this document: ask the shop owner to choose one (Settings → Printers &amp; templates).</source>
        <translation>Chưa chọn máy in cho loại chứng từ này: hãy nhờ chủ cửa hàng chọn máy in (Cài đặt → Máy in &amp; mẫu in).</translation>
    </message>
    <message>
        <source>none (is the print service running?)</source>
        <translation>không có (dịch vụ in có đang chạy không?)</translation>
    </message>
    <message>
        <source>The printer %1 is not installed on this computer. Printers found: %2.</source>
        <translation>Máy in %1 chưa được cài trên máy tính này. Các máy in tìm thấy: %2.</translation>
    </message>
    <message>
        <source>The printer %1 is refusing new jobs. Turn job acceptance back on (or choose another printer), then try again.</source>
        <translation>Máy in %1 đang từ chối lệnh in mới. Hãy bật lại chế độ nhận lệnh in (hoặc chọn máy in khác), rồi thử lại.</translation>
    </message>
    <message>
        <source>The printer %1 is paused or offline (%2). Resume it, then try again.</source>
        <translation>Máy in %1 đang tạm dừng hoặc mất kết nối (%2). Hãy cho máy in chạy lại, rồi thử lại.</translation>
    </message>
    <message>
        <source>The printer %1 is paused or offline. Resume it, then try again.</source>
        <translation>Máy in %1 đang tạm dừng hoặc mất kết nối. Hãy cho máy in chạy lại, rồi thử lại.</translation>
    </message>
    <message>
        <source>The printer %1 cannot be reached. Check that it is switched on and connected (cable or Wi-Fi), then try again.</source>
        <extracomment>Jobs sent this long before and not printed yet: the printer is not printing (a receipt takes seconds, an invoice on a laser well under a minute).</extracomment>
        <translation>Không kết nối được với máy in %1. Hãy kiểm tra máy in đã bật và đã cắm dây (hoặc đã kết nối Wi-Fi), rồi thử lại.</translation>
    </message>
    <message>
        <source>The printer %1 has not printed what was sent to it over a minute ago. Check that it is switched on, connected and has paper, then try again.</source>
        <translation>Máy in %1 chưa in được lệnh in đã gửi từ hơn một phút trước. Hãy kiểm tra máy in đã bật, đã kết nối và còn giấy, rồi thử lại.</translation>
    </message>
    <message>
        <source>1 earlier print job is still waiting and prints once the printer is back.</source>
        <translation>Còn 1 lệnh in gửi trước đó đang chờ, sẽ được in khi máy in hoạt động lại.</translation>
    </message>
    <message>
        <source>%1 earlier print jobs are still waiting and print once the printer is back.</source>
        <translation>Còn %1 lệnh in gửi trước đó đang chờ, sẽ được in khi máy in hoạt động lại.</translation>
    </message>
    <message>
        <source>The printer %1 cannot be used.</source>
        <translation>Không dùng được máy in %1.</translation>
    </message>
    <message>
        <source>The printer %1 reported an error.</source>
        <translation>Máy in %1 báo lỗi.</translation>
    </message>
    <message>
        <source>The folder %1 does not exist.</source>
        <translation>Thư mục %1 không tồn tại.</translation>
    </message>
    <message>
        <source>%1 is a folder: give the PDF file&apos;s name (e.g. %2).</source>
        <translation>%1 là một thư mục: hãy nhập tên tệp PDF (ví dụ %2).</translation>
    </message>
    <message>
        <source>Could not write a PDF into %1.</source>
        <translation>Không ghi được tệp PDF vào %1.</translation>
    </message>
    <message>
        <source>Could not write %1: %2.</source>
        <translation>Không ghi được %1: %2.</translation>
    </message>
    <message>
        <source>Thermal (ESC/POS) printers print on rolls: choose 80 mm or 58 mm paper for this document.</source>
        <translation>Máy in nhiệt (ESC/POS) in trên giấy cuộn: hãy chọn khổ giấy 80 mm hoặc 58 mm cho loại chứng từ này.</translation>
    </message>
    <message>
        <source>%1 of %2 printed. %3</source>
        <translation>Đã in được %1 trên %2. %3</translation>
    </message>
    <message>
        <source>Goods receipts, purchase orders and supplier returns print on A4 or A5 paper, and the invoice&apos;s printer is a thermal (ESC/POS) printer: choose a system printer for the invoice in Settings → Printers &amp; templates, or use Save as PDF.</source>
        <translation>Phiếu nhập kho, đơn đặt hàng và phiếu trả hàng in trên giấy A4 hoặc A5, nhưng máy in hóa đơn đang là máy in nhiệt (ESC/POS): hãy chọn máy in hệ thống cho hóa đơn trong Cài đặt → Máy in &amp; mẫu in, hoặc dùng Lưu thành PDF.</translation>
    </message>
    <message>
        <source>Goods receipts, purchase orders and supplier returns print on A4 or A5 paper, and the invoice&apos;s printer is a thermal (ESC/POS) printer: ask the shop owner to choose a system printer for the invoice (Settings → Printers &amp; templates), or use Save as PDF.</source>
        <translation>Phiếu nhập kho, đơn đặt hàng và phiếu trả hàng in trên giấy A4 hoặc A5, nhưng máy in hóa đơn đang là máy in nhiệt (ESC/POS): hãy nhờ chủ cửa hàng chọn máy in hệ thống cho hóa đơn (Cài đặt → Máy in &amp; mẫu in), hoặc dùng Lưu thành PDF.</translation>
    </message>
    <message>
        <source>No label was printed: none of these orders has one.</source>
        <translation>Chưa in nhãn nào: không đơn nào trong số này có nhãn vận đơn.</translation>
    </message>
    <message>
        <source>%n label sent to %1 (one print job).</source>
        <translation>Đã gửi %n nhãn vận đơn tới %1 (một lệnh in).</translation>
    </message>
    <message>
        <source>%n labels sent to %1 (one print job).</source>
        <translation>Đã gửi %n nhãn vận đơn tới %1 (một lệnh in).</translation>
    </message>
    <message>
        <source>%n label opened in the PDF viewer (%1).</source>
        <translation>Đã mở %n nhãn vận đơn trong trình xem PDF (%1).</translation>
    </message>
    <message>
        <source>%n labels opened in the PDF viewer, one per page (%1).</source>
        <translation>Đã mở %n nhãn vận đơn trong trình xem PDF, mỗi trang một nhãn (%1).</translation>
    </message>
    <message>
        <source>%n label saved in %1.</source>
        <translation>Đã lưu %n nhãn vận đơn vào %1.</translation>
    </message>
    <message>
        <source>%n labels saved in %1, one per page.</source>
        <translation>Đã lưu %n nhãn vận đơn vào %1, mỗi trang một nhãn.</translation>
    </message>
    <message>
        <source>%n order is not in it:</source>
        <translation>%n đơn không được in nhãn:</translation>
    </message>
    <message>
        <source>%n orders are not in it:</source>
        <translation>%n đơn không được in nhãn:</translation>
    </message>
    <message>
        <source>… and %n more: see Show Details.</source>
        <translation>… và %n đơn nữa: bấm Xem chi tiết.</translation>
    </message>
</context>
<context>
    <name>products</name>
    <message>
        <source>Active</source>
        <extracomment>Loaded but not shown as columns (drawn as icons, colours, ranges and tooltips). Column widths of this view where the spec&apos;s own do not suit it (the price columns are sized to the prices in view: `_fit_price_columns`). Narrow enough that every column fits a maximised 1366 px window in both languages; the name takes the room left. A price cell&apos;s room beside its text: the style sheet&apos;s padding and the style&apos;s margins. The gap beside a Price cell&apos;s clock (a scheduled change coming), and the clock&apos;s size. The widest the Stock column grows in the low-stock view (naming the low variants). In the low-stock view these follow the product&apos;s name (what is low, what is coming): after the SKU, shop and price columns they needed a sideways scroll at 1024 px. The most rows a price column is measured over (those in view: a tall window). Filter chip kinds, in chip order.</extracomment>
        <translation>Đang bán</translation>
    </message>
    <message>
        <source>Hidden</source>
        <translation>Đang ẩn</translation>
    </message>
    <message>
        <source>Out of stock</source>
        <translation>Hết hàng</translation>
    </message>
    <message>
        <source>Low stock</source>
        <translation>Sắp hết hàng</translation>
    </message>
    <message>
        <source>No weight yet</source>
        <translation>Chưa có khối lượng</translation>
    </message>
    <message>
        <source>Not linked on a marketplace</source>
        <translation>Chưa liên kết trên sàn</translation>
    </message>
    <message>
        <source>No cost price</source>
        <translation>Chưa có giá vốn</translation>
    </message>
    <message>
        <source>Archived</source>
        <translation>Đã lưu trữ</translation>
    </message>
    <message>
        <source>Price changes on %1 (%2)</source>
        <extracomment>The first rows show at once; the rest arrive in ticks of bounded cost (a tick walks the sort&apos;s covering index). Extra values kept after the shown cells of a row, in this order. The low-stock view (its status chip on): a short row&apos;s Stock cell names its low variants (&quot;Xám / M: 0 · Tím than / S: 5&quot;), read once per page of rows. The products of the pages read whose price a schedule changes next (the Price cell&apos;s clock and tooltip). Low variants a Stock cell names; the rest are counted (&quot;+2&quot;).</extracomment>
        <translation>Giá sắp đổi %1 (%2)</translation>
    </message>
    <message>
        <source>Price goes back on %1 (%2)</source>
        <translation>Giá trở lại %1 (%2)</translation>
    </message>
    <message>
        <source>On hand %1, reserved by open orders %2</source>
        <translation>Tồn kho %1, đơn đang xử lý giữ %2</translation>
    </message>
    <message>
        <source>%1 units still to come on open purchase orders</source>
        <translation>%1 sản phẩm còn chờ về theo các đơn đặt hàng đang mở</translation>
    </message>
    <message>
        <source>not linked to its item yet: its stock is not sent there</source>
        <translation>chưa liên kết với sản phẩm trên sàn: tồn kho chưa được gửi lên đó</translation>
    </message>
    <message>
        <source>+%1 more</source>
        <extracomment>Variants a stock tooltip names; the rest are counted (&quot;+2 more&quot;).</extracomment>
        <translation>+%1 mẫu khác</translation>
    </message>
    <message>
        <source>Low stock: %1</source>
        <translation>Sắp hết: %1</translation>
    </message>
    <message>
        <source>Low stock:</source>
        <extracomment>Low variants the low-stock view&apos;s tooltip lists, one a line.</extracomment>
        <translation>Sắp hết hàng:</translation>
    </message>
    <message>
        <source>(level %1)</source>
        <translation>(ngưỡng %1)</translation>
    </message>
    <message>
        <source>Double-click: stock in or correct the count of %1</source>
        <translation>Nhấp đúp: nhập kho hoặc điều chỉnh số đếm của %1</translation>
    </message>
    <message>
        <source>Show products listed on these shops</source>
        <translation>Hiện sản phẩm đăng bán trên các gian hàng</translation>
    </message>
    <message>
        <source>Show products that are</source>
        <translation>Hiện sản phẩm có trạng thái</translation>
    </message>
    <message>
        <source>Show products of the category</source>
        <translation>Hiện sản phẩm thuộc danh mục</translation>
    </message>
    <message>
        <source>Unit price between</source>
        <translation>Giá bán trong khoảng</translation>
    </message>
    <message>
        <source>Discount price between</source>
        <translation>Giá khuyến mãi trong khoảng</translation>
    </message>
    <message>
        <source>Available stock between</source>
        <translation>Số lượng có thể bán trong khoảng</translation>
    </message>
    <message>
        <source>At least</source>
        <translation>Tối thiểu</translation>
    </message>
    <message>
        <source>At most</source>
        <translation>Tối đa</translation>
    </message>
    <message>
        <source>Enter an amount in đồng, such as %1.</source>
        <translation>Nhập số tiền bằng đồng, ví dụ %1.</translation>
    </message>
    <message>
        <source>Enter a whole number, such as 10.</source>
        <translation>Nhập một số nguyên, ví dụ 10.</translation>
    </message>
    <message>
        <source>The lower value is above the upper one.</source>
        <translation>Giá trị tối thiểu lớn hơn giá trị tối đa.</translation>
    </message>
    <message>
        <source>Search by product name, SKU or barcode</source>
        <translation>Tìm theo tên sản phẩm, SKU hoặc mã vạch</translation>
    </message>
    <message>
        <source>Filters</source>
        <translation>Bộ lọc</translation>
    </message>
    <message>
        <source>Shop…</source>
        <translation>Gian hàng…</translation>
    </message>
    <message>
        <source>Unit price…</source>
        <translation>Giá bán…</translation>
    </message>
    <message>
        <source>Discount price…</source>
        <translation>Giá khuyến mãi…</translation>
    </message>
    <message>
        <source>Stock…</source>
        <translation>Tồn kho…</translation>
    </message>
    <message>
        <source>Status…</source>
        <translation>Trạng thái…</translation>
    </message>
    <message>
        <source>Category…</source>
        <translation>Danh mục…</translation>
    </message>
    <message>
        <source>Clear all</source>
        <translation>Xóa tất cả</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>Ẩn</translation>
    </message>
    <message>
        <source>Hide the selected products (they stop selling)</source>
        <translation>Ẩn các sản phẩm đã chọn (ngừng bán)</translation>
    </message>
    <message>
        <source>Unhide</source>
        <translation>Hiện lại</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Xóa</translation>
    </message>
    <message>
        <source>Print labels</source>
        <translation>In tem mã vạch</translation>
    </message>
    <message>
        <source>Order…</source>
        <translation>Đặt hàng…</translation>
    </message>
    <message>
        <source>Stock in, stock out or correct the count of the selected product, on its lowest variant</source>
        <translation>Nhập kho, xuất kho hoặc điều chỉnh số đếm của sản phẩm đã chọn, ở phân loại sắp hết nhất</translation>
    </message>
    <message>
        <source>Change prices…</source>
        <translation>Đổi giá…</translation>
    </message>
    <message>
        <source>Change the selling price, discount price or cost of every variant of the selected products at once: set, or up or down by a percentage or an amount, rounded</source>
        <translation>Đổi giá bán, giá khuyến mãi hoặc giá vốn của mọi phân loại thuộc các sản phẩm đã chọn cùng lúc: đặt giá mới, hoặc tăng/giảm theo % hay một khoản tiền, có làm tròn</translation>
    </message>
    <message>
        <source>Scheduled prices</source>
        <translation>Giá theo lịch</translation>
    </message>
    <message>
        <source>Price changes that start (and end) at a set time: a weekend sale, a new price list</source>
        <translation>Đổi giá bắt đầu (và kết thúc) vào thời điểm định sẵn: sale cuối tuần, bảng giá mới</translation>
    </message>
    <message>
        <source>A purchase order of the selected products: what of them is low on stock, brought up to twice its level less what is on order, from the supplier that delivered them last</source>
        <translation>Đơn đặt hàng nhập cho các sản phẩm đang chọn: những mẫu sắp hết hàng, đặt đủ gấp đôi mức cảnh báo trừ đi hàng đang chờ về, từ nhà cung cấp giao chúng gần nhất</translation>
    </message>
    <message>
        <source>Print barcode labels for the selected products&apos; variants</source>
        <translation>In tem mã vạch cho các phân loại của sản phẩm đã chọn</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Xuất Excel</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Nhập tệp</translation>
    </message>
    <message>
        <source>Import products from an Excel or CSV file</source>
        <translation>Nhập sản phẩm từ tệp Excel hoặc CSV</translation>
    </message>
    <message>
        <source>Add product</source>
        <translation>Thêm sản phẩm</translation>
    </message>
    <message>
        <source>%n product</source>
        <translation>%n sản phẩm</translation>
    </message>
    <message>
        <source>%n products</source>
        <translation>%n sản phẩm</translation>
    </message>
    <message>
        <source>Shop: %1</source>
        <translation>Gian hàng: %1</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Giá bán</translation>
    </message>
    <message>
        <source>Discount price</source>
        <translation>Giá khuyến mãi</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>Tồn kho</translation>
    </message>
    <message>
        <source>Status: %1</source>
        <translation>Trạng thái: %1</translation>
    </message>
    <message>
        <source>Category: %1</source>
        <translation>Danh mục: %1</translation>
    </message>
    <message>
        <source>from %1</source>
        <translation>từ %1</translation>
    </message>
    <message>
        <source>up to %1</source>
        <translation>đến %1</translation>
    </message>
    <message>
        <source>%n selected</source>
        <extracomment>Selections up to this size enable Hide/Unhide by the rows&apos; statuses.</extracomment>
        <translation>Đã chọn %n</translation>
    </message>
    <message>
        <source>Export the selected products to Excel</source>
        <translation>Xuất các sản phẩm đã chọn ra Excel</translation>
    </message>
    <message>
        <source>Export every product of this view to Excel</source>
        <translation>Xuất tất cả sản phẩm đang hiển thị ra Excel</translation>
    </message>
    <message>
        <source>Edit…</source>
        <extracomment>Low variants the row menu&apos;s &quot;Stock in/out&quot; offers one by one.</extracomment>
        <translation>Sửa…</translation>
    </message>
    <message>
        <source>Stock in/out…</source>
        <translation>Nhập/xuất kho…</translation>
    </message>
    <message>
        <source>Another variant…</source>
        <translation>Phân loại khác…</translation>
    </message>
    <message>
        <source>Receive goods…</source>
        <translation>Nhập hàng…</translation>
    </message>
    <message>
        <source>Stock history</source>
        <translation>Lịch sử kho</translation>
    </message>
    <message>
        <source>Print labels…</source>
        <translation>In tem mã vạch…</translation>
    </message>
    <message>
        <source>Hiding products</source>
        <translation>Đang ẩn sản phẩm</translation>
    </message>
    <message>
        <source>%n product hidden</source>
        <translation>Đã ẩn %n sản phẩm</translation>
    </message>
    <message>
        <source>%n products hidden</source>
        <translation>Đã ẩn %n sản phẩm</translation>
    </message>
    <message>
        <source>Showing products again</source>
        <translation>Đang hiện lại sản phẩm</translation>
    </message>
    <message>
        <source>%n product unhidden</source>
        <translation>Đã hiện lại %n sản phẩm</translation>
    </message>
    <message>
        <source>%n products unhidden</source>
        <translation>Đã hiện lại %n sản phẩm</translation>
    </message>
    <message>
        <source>Delete %n product?</source>
        <translation>Xóa %n sản phẩm?</translation>
    </message>
    <message>
        <source>Delete %n products?</source>
        <translation>Xóa %n sản phẩm?</translation>
    </message>
    <message>
        <source>Products that have orders, goods receipts, purchase orders, stock or stock history are archived, not erased: they leave this list and the marketplaces are told none are left, but they stay on their orders and receipts. The others are deleted with their variants and images. This cannot be undone.</source>
        <translation>Sản phẩm đã có đơn hàng, phiếu nhập hàng, đơn đặt hàng, tồn kho hoặc lịch sử kho sẽ được lưu trữ chứ không bị xóa hẳn: chúng rời khỏi danh sách này và các sàn được báo là hết hàng, nhưng vẫn còn trên các đơn hàng và phiếu nhập. Các sản phẩm còn lại sẽ bị xóa cùng phân loại và hình ảnh. Không thể hoàn tác thao tác này.</translation>
    </message>
    <message>
        <source>%n product archived (it has orders, receipts or stock)</source>
        <translation>Đã lưu trữ %n sản phẩm (đã có đơn hàng, phiếu nhập hoặc tồn kho)</translation>
    </message>
    <message>
        <source>%n products archived (they have orders, receipts or stock)</source>
        <translation>Đã lưu trữ %n sản phẩm (đã có đơn hàng, phiếu nhập hoặc tồn kho)</translation>
    </message>
    <message>
        <source>Delete products</source>
        <translation>Xóa sản phẩm</translation>
    </message>
    <message>
        <source>Deleting products</source>
        <translation>Đang xóa sản phẩm</translation>
    </message>
    <message>
        <source>%n product deleted</source>
        <translation>Đã xóa %n sản phẩm</translation>
    </message>
    <message>
        <source>%n products deleted</source>
        <translation>Đã xóa %n sản phẩm</translation>
    </message>
</context>
<context>
    <name>service</name>
    <message>
        <source>row {row}</source>
        <translation>dòng {row}</translation>
    </message>
    <message>
        <source>column {column}</source>
        <translation>cột {column}</translation>
    </message>
    <message>
        <source>A customer cannot refer themselves.</source>
        <translation>Khách hàng không thể tự giới thiệu chính mình.</translation>
    </message>
    <message>
        <source>A group with the code {clash} already exists: choose another code.</source>
        <translation>Đã có nhóm mang mã {clash}: hãy chọn mã khác.</translation>
    </message>
    <message>
        <source>A level needs a name of at most 60 characters.</source>
        <translation>Nhóm khách hàng cần có tên, tối đa 60 ký tự.</translation>
    </message>
    <message>
        <source>A percentage must be between 1 and 100.</source>
        <translation>Phần trăm phải từ 1 đến 100.</translation>
    </message>
    <message>
        <source>A product needs at least one variant (SKU).</source>
        <translation>Sản phẩm cần ít nhất một phân loại (SKU).</translation>
    </message>
    <message>
        <source>A usage limit must be at least 1 (empty = no limit).</source>
        <translation>Giới hạn lượt dùng phải từ 1 trở lên (để trống = không giới hạn).</translation>
    </message>
    <message>
        <source>A {what} named {other} already exists: choose another name.</source>
        <translation>Đã có {what} tên {other}: hãy chọn tên khác.</translation>
    </message>
    <message>
        <source>Add at least one product.</source>
        <translation>Hãy thêm ít nhất một sản phẩm.</translation>
    </message>
    <message>
        <source>Address {address_id} is not one of {code}&apos;s addresses.</source>
        <translation>Địa chỉ {address_id} không thuộc khách hàng {code}.</translation>
    </message>
    <message>
        <source>Amounts must be between 0 and {limit} đ.</source>
        <translation>Số tiền phải từ 0 đến {limit} ₫.</translation>
    </message>
    <message>
        <source>Another voucher already has the code {code}.</source>
        <translation>Đã có mã giảm giá khác dùng mã {code}.</translation>
    </message>
    <message>
        <source>At most {limit} images per product.</source>
        <translation>Mỗi sản phẩm tối đa {limit} ảnh.</translation>
    </message>
    <message>
        <source>Bronze</source>
        <translation>Đồng</translation>
    </message>
    <message>
        <source>Bronze is the rank of every other customer: its threshold is 0.</source>
        <translation>Đồng là hạng của mọi khách hàng còn lại: ngưỡng của hạng này là 0.</translation>
    </message>
    <message>
        <source>Change your password with your current one (My account).</source>
        <translation>Hãy đổi mật khẩu bằng mật khẩu hiện tại (Tài khoản của tôi).</translation>
    </message>
    <message>
        <source>Choose a password of your own, not the one-time password.</source>
        <translation>Hãy chọn mật khẩu của riêng bạn, không dùng mật khẩu một lần.</translation>
    </message>
    <message>
        <source>Choose at least one item to return.</source>
        <translation>Hãy chọn ít nhất một sản phẩm để trả.</translation>
    </message>
    <message>
        <source>Choose at least one shop.</source>
        <translation>Hãy chọn ít nhất một gian hàng.</translation>
    </message>
    <message>
        <source>Count at least one product.</source>
        <translation>Hãy kiểm đếm ít nhất một sản phẩm.</translation>
    </message>
    <message>
        <source>Customer {customer_id} does not exist (or was deleted or merged).</source>
        <translation>Khách hàng {customer_id} không tồn tại (hoặc đã bị xóa hay gộp).</translation>
    </message>
    <message>
        <source>Customer {customer_id} no longer exists.</source>
        <translation>Khách hàng {customer_id} không còn tồn tại.</translation>
    </message>
    <message>
        <source>Enter the customer&apos;s name.</source>
        <translation>Hãy nhập tên khách hàng.</translation>
    </message>
    <message>
        <source>Enter the street, ward or province of the address.</source>
        <translation>Hãy nhập số nhà, đường, phường/xã hoặc tỉnh/thành phố của địa chỉ.</translation>
    </message>
    <message>
        <source>File not found: {path}</source>
        <translation>Không tìm thấy tệp: {path}</translation>
    </message>
    <message>
        <source>Give a discount, free shipping, or both.</source>
        <translation>Hãy nhập mức giảm giá, miễn phí vận chuyển, hoặc cả hai.</translation>
    </message>
    <message>
        <source>Give a reason for the stock change.</source>
        <translation>Hãy ghi lý do thay đổi tồn kho.</translation>
    </message>
    <message>
        <source>Give the group a {field}.</source>
        <translation>Hãy nhập {field} cho nhóm.</translation>
    </message>
    <message>
        <source>Give the product a name.</source>
        <translation>Hãy đặt tên cho sản phẩm.</translation>
    </message>
    <message>
        <source>Give the {what} a name.</source>
        <translation>Hãy đặt tên cho {what}.</translation>
    </message>
    <message>
        <source>Group {code} still has 1 listing ({skus}): remove them from the group first.</source>
        <translation>Nhóm {code} vẫn còn 1 sản phẩm ({skus}): hãy bỏ khỏi nhóm trước.</translation>
    </message>
    <message>
        <source>Group {code} still has {count} listings ({skus}): remove them from the group first.</source>
        <translation>Nhóm {code} vẫn còn {count} sản phẩm ({skus}): hãy bỏ khỏi nhóm trước.</translation>
    </message>
    <message>
        <source>Line {line} ({sku}): the discount must be between 0 and {most}.</source>
        <translation>Dòng {line} ({sku}): giảm giá phải từ 0 đến {most}.</translation>
    </message>
    <message>
        <source>Line {line} ({sku}): the price cannot be negative.</source>
        <translation>Dòng {line} ({sku}): giá không được âm.</translation>
    </message>
    <message>
        <source>Line {line} ({sku}): the quantity must be at least 1.</source>
        <translation>Dòng {line} ({sku}): số lượng phải từ 1 trở lên.</translation>
    </message>
    <message>
        <source>Line {line} is not part of {order}.</source>
        <translation>Dòng {line} không thuộc đơn {order}.</translation>
    </message>
    <message>
        <source>Line {line}: the product no longer exists.</source>
        <translation>Dòng {line}: sản phẩm không còn tồn tại.</translation>
    </message>
    <message>
        <source>More points than the order needs.</source>
        <translation>Số điểm dùng nhiều hơn giá trị đơn hàng.</translation>
    </message>
    <message>
        <source>No product variant has the SKU {sku}.</source>
        <translation>Không có phân loại sản phẩm nào có SKU {sku}.</translation>
    </message>
    <message>
        <source>No user has id {user_id}.</source>
        <translation>Không có người dùng mã {user_id}.</translation>
    </message>
    <message>
        <source>Not enough stock: {items}.</source>
        <translation>Không đủ tồn kho: {items}.</translation>
    </message>
    <message>
        <source>Only the owner may change the owner&apos;s or a manager&apos;s account.</source>
        <translation>Chỉ chủ cửa hàng được sửa tài khoản của chủ cửa hàng hoặc quản lý.</translation>
    </message>
    <message>
        <source>Only the owner may make someone a manager.</source>
        <translation>Chỉ chủ cửa hàng được chỉ định quản lý.</translation>
    </message>
    <message>
        <source>Only the owner or a manager may do this.</source>
        <translation>Chỉ chủ cửa hàng hoặc quản lý được làm việc này.</translation>
    </message>
    <message>
        <source>Only {on_hand} of {sku} on hand: cannot take out {quantity}.</source>
        <translation>{sku} chỉ còn {on_hand} trong kho: không thể xuất {quantity}.</translation>
    </message>
    <message>
        <source>Order {order} is {status}: it cannot become {to}.</source>
        <translation>Đơn {order} đang ở trạng thái {status}: không thể chuyển sang {to}.</translation>
    </message>
    <message>
        <source>Order {order} is {status}: only completed orders can be returned.</source>
        <translation>Đơn {order} đang ở trạng thái {status}: chỉ đơn đã hoàn thành mới trả hàng được.</translation>
    </message>
    <message>
        <source>Order {order} no longer exists.</source>
        <translation>Đơn {order} không còn tồn tại.</translation>
    </message>
    <message>
        <source>Pick at least one other customer to merge.</source>
        <translation>Hãy chọn ít nhất một khách hàng khác để gộp.</translation>
    </message>
    <message>
        <source>Points may pay at most {percent}% of this order ({cap} đ): use at most {most} points.</source>
        <translation>Điểm chỉ được trả tối đa {percent}% giá trị đơn này ({cap} ₫): hãy dùng tối đa {most} điểm.</translation>
    </message>
    <message>
        <source>Points need a customer (not a walk-in sale).</source>
        <translation>Dùng điểm cần chọn khách hàng (không dùng cho khách lẻ).</translation>
    </message>
    <message>
        <source>Product variant {variant_id} no longer exists.</source>
        <translation>Phân loại sản phẩm {variant_id} không còn tồn tại.</translation>
    </message>
    <message>
        <source>Product variant {variant} no longer exists.</source>
        <translation>Phân loại sản phẩm {variant} không còn tồn tại.</translation>
    </message>
    <message>
        <source>Product variant {vid} no longer exists.</source>
        <translation>Phân loại sản phẩm {vid} không còn tồn tại.</translation>
    </message>
    <message>
        <source>SKU group {group_id} no longer exists.</source>
        <translation>Nhóm SKU {group_id} không còn tồn tại.</translation>
    </message>
    <message>
        <source>SKU {sku} is already used by “{product}” (a product on no shop).</source>
        <translation>SKU {sku} đã được dùng cho “{product}” (sản phẩm chưa đăng ở gian hàng nào).</translation>
    </message>
    <message>
        <source>SKU {sku} is already used by “{product}” on {shop}.</source>
        <translation>SKU {sku} đã được dùng cho “{product}” ở {shop}.</translation>
    </message>
    <message>
        <source>Save the template as an .xlsx file (Excel workbook), not {name}.</source>
        <translation>Hãy lưu tệp mẫu dạng .xlsx (tệp Excel), không phải {name}.</translation>
    </message>
    <message>
        <source>Say why the items come back.</source>
        <translation>Hãy ghi lý do trả hàng.</translation>
    </message>
    <message>
        <source>Say why the order is cancelled.</source>
        <translation>Hãy ghi lý do hủy đơn.</translation>
    </message>
    <message>
        <source>Say why the orders are cancelled.</source>
        <translation>Hãy ghi lý do hủy các đơn.</translation>
    </message>
    <message>
        <source>Say why the points change (the reason is required).</source>
        <translation>Hãy ghi lý do thay đổi điểm (bắt buộc).</translation>
    </message>
    <message>
        <source>Segment {segment_id} no longer exists.</source>
        <translation>Phân khúc {segment_id} không còn tồn tại.</translation>
    </message>
    <message>
        <source>Several variants need an attribute (e.g. Size) to tell them apart.</source>
        <translation>Nhiều phân loại cần có thuộc tính (ví dụ Size) để phân biệt.</translation>
    </message>
    <message>
        <source>Shop {missing} no longer exists.</source>
        <translation>Gian hàng {missing} không còn tồn tại.</translation>
    </message>
    <message>
        <source>Sign in first.</source>
        <translation>Hãy đăng nhập trước.</translation>
    </message>
    <message>
        <source>Tag {tag_id} no longer exists.</source>
        <translation>Thẻ {tag_id} không còn tồn tại.</translation>
    </message>
    <message>
        <source>Tag {tag} does not exist (deleted meanwhile?).</source>
        <translation>Thẻ {tag} không tồn tại (có thể vừa bị xóa).</translation>
    </message>
    <message>
        <source>The amount must be between 0 and {limit} đ.</source>
        <translation>Số tiền phải từ 0 đến {limit} ₫.</translation>
    </message>
    <message>
        <source>The assigned staff member no longer exists.</source>
        <translation>Nhân viên phụ trách không còn tồn tại.</translation>
    </message>
    <message>
        <source>The attribute name {name} is longer than {limit} characters.</source>
        <translation>Tên thuộc tính {name} dài hơn {limit} ký tự.</translation>
    </message>
    <message>
        <source>The birthday is before 1900.</source>
        <translation>Ngày sinh trước năm 1900.</translation>
    </message>
    <message>
        <source>The cash received is {short} short of the total.</source>
        <translation>Tiền khách đưa còn thiếu {short} so với tổng cộng.</translation>
    </message>
    <message>
        <source>The category is longer than {limit} characters.</source>
        <translation>Danh mục dài hơn {limit} ký tự.</translation>
    </message>
    <message>
        <source>The code needs 1 to 20 letters, digits, &apos;-&apos; or &apos;_&apos; (no spaces or accents).</source>
        <translation>Mã cần 1 đến 20 chữ cái, chữ số, &apos;-&apos; hoặc &apos;_&apos; (không dấu cách, không dấu tiếng Việt).</translation>
    </message>
    <message>
        <source>The code needs 3 to 40 letters, digits, &apos;-&apos; or &apos;_&apos; (no spaces or accents).</source>
        <translation>Mã cần 3 đến 40 chữ cái, chữ số, &apos;-&apos; hoặc &apos;_&apos; (không dấu cách, không dấu tiếng Việt).</translation>
    </message>
    <message>
        <source>The count of {skus} cannot be negative.</source>
        <translation>Số đếm của {skus} không được âm.</translation>
    </message>
    <message>
        <source>The current password is wrong.</source>
        <translation>Mật khẩu hiện tại không đúng.</translation>
    </message>
    <message>
        <source>The customer of this sale no longer exists.</source>
        <translation>Khách hàng của đơn này không còn tồn tại.</translation>
    </message>
    <message>
        <source>The email {email} is already used by another account.</source>
        <translation>Email {email} đã được dùng cho tài khoản khác.</translation>
    </message>
    <message>
        <source>The end date is before the start date.</source>
        <translation>Ngày kết thúc trước ngày bắt đầu.</translation>
    </message>
    <message>
        <source>The group {field} has {length} characters: {limit} at most.</source>
        <translation>Phần {field} của nhóm dài {length} ký tự: tối đa {limit}.</translation>
    </message>
    <message>
        <source>The insurance value must be 0-{most} đ (got {amount} đ).</source>
        <translation>Giá trị khai giá phải từ 0 đến {most} ₫ (đang là {amount} ₫).</translation>
    </message>
    <message>
        <source>The level {taken} already has the code {code}.</source>
        <translation>Nhóm khách hàng {taken} đã dùng mã {code}.</translation>
    </message>
    <message>
        <source>The lock delay must be 0 (never) to {limit} minutes (got {minutes}).</source>
        <translation>Thời gian tự khóa phải từ 0 (không bao giờ) đến {limit} phút (đang là {minutes}).</translation>
    </message>
    <message>
        <source>The low-stock level cannot be more than {limit}.</source>
        <translation>Mức sắp hết hàng không được lớn hơn {limit}.</translation>
    </message>
    <message>
        <source>The low-stock level cannot be negative.</source>
        <translation>Mức sắp hết hàng không được âm.</translation>
    </message>
    <message>
        <source>The low-stock level must be a whole number.</source>
        <translation>Mức sắp hết hàng phải là số nguyên.</translation>
    </message>
    <message>
        <source>The name is longer than 120 characters.</source>
        <translation>Tên dài hơn 120 ký tự.</translation>
    </message>
    <message>
        <source>The name is longer than {limit} characters.</source>
        <translation>Tên dài hơn {limit} ký tự.</translation>
    </message>
    <message>
        <source>The name is required.</source>
        <translation>Hãy nhập tên.</translation>
    </message>
    <message>
        <source>The name is too long (at most 120 characters).</source>
        <translation>Tên quá dài (tối đa 120 ký tự).</translation>
    </message>
    <message>
        <source>The name is {length} characters long; at most {limit} are allowed.</source>
        <translation>Tên dài {length} ký tự; tối đa {limit} ký tự.</translation>
    </message>
    <message>
        <source>The note is longer than {limit} characters.</source>
        <translation>Ghi chú dài hơn {limit} ký tự.</translation>
    </message>
    <message>
        <source>The order discount must be between 0 and {most}.</source>
        <translation>Giảm giá đơn phải từ 0 đến {most}.</translation>
    </message>
    <message>
        <source>The owner and your own account cannot be disabled.</source>
        <translation>Không thể khóa tài khoản chủ cửa hàng hoặc tài khoản của chính bạn.</translation>
    </message>
    <message>
        <source>The owner&apos;s name is required.</source>
        <translation>Hãy nhập tên chủ cửa hàng.</translation>
    </message>
    <message>
        <source>The owner&apos;s password is changed from My account.</source>
        <translation>Mật khẩu của chủ cửa hàng được đổi ở Tài khoản của tôi.</translation>
    </message>
    <message>
        <source>The purchase threshold must be between 0 and {limit} đ.</source>
        <translation>Ngưỡng chi tiêu phải từ 0 đến {limit} ₫.</translation>
    </message>
    <message>
        <source>The quantity must be more than 0.</source>
        <translation>Số lượng phải lớn hơn 0.</translation>
    </message>
    <message>
        <source>The reason is too long ({length} characters, at most 255).</source>
        <translation>Lý do quá dài ({length} ký tự, tối đa 255).</translation>
    </message>
    <message>
        <source>The referrer no longer exists.</source>
        <translation>Người giới thiệu không còn tồn tại.</translation>
    </message>
    <message>
        <source>The role must be Manager or Staff.</source>
        <translation>Vai trò phải là Quản lý hoặc Nhân viên.</translation>
    </message>
    <message>
        <source>The shipping fee cannot be negative.</source>
        <translation>Phí vận chuyển không được âm.</translation>
    </message>
    <message>
        <source>The shop name is required.</source>
        <translation>Hãy nhập tên cửa hàng.</translation>
    </message>
    <message>
        <source>The stock on hand cannot be negative.</source>
        <translation>Tồn kho không được âm.</translation>
    </message>
    <message>
        <source>The two attributes are both called {name}.</source>
        <translation>Hai thuộc tính cùng tên {name}.</translation>
    </message>
    <message>
        <source>The unit cost cannot be negative.</source>
        <translation>Giá vốn không được âm.</translation>
    </message>
    <message>
        <source>The voucher must end after it starts.</source>
        <translation>Mã giảm giá phải kết thúc sau khi bắt đầu.</translation>
    </message>
    <message>
        <source>The {id_label} {pid} is not a positive whole number ({console} → {id_label}).</source>
        <translation>{id_label} {pid} không phải số nguyên dương ({console} → {id_label}).</translation>
    </message>
    <message>
        <source>The {key_label} is {length} characters; a {name} {key_label} is much longer ({min_partner_key}-{limit}).</source>
        <translation>{key_label} dài {length} ký tự; {key_label} của {name} dài hơn nhiều ({min_partner_key}-{limit}).</translation>
    </message>
    <message>
        <source>The {what} name has {length} characters: {limit} at most.</source>
        <translation>Tên {what} dài {length} ký tự: tối đa {limit}.</translation>
    </message>
    <message>
        <source>The address {field} is longer than {limit} characters.</source>
        <translation>Mục {field} của địa chỉ dài hơn {limit} ký tự.</translation>
    </message>
    <message>
        <source>A new order cannot start as {status}.</source>
        <translation>Đơn mới không thể bắt đầu ở trạng thái {status}.</translation>
    </message>
    <message>
        <source>A new product has no images to keep yet.</source>
        <translation>Sản phẩm mới chưa có ảnh nào để giữ lại.</translation>
    </message>
    <message>
        <source>A point must be worth between 1 and 10,000,000 đ.</source>
        <translation>Mỗi điểm phải có giá trị từ 1 đến 10.000.000 đ.</translation>
    </message>
    <message>
        <source>A receipt costs at most {max} ({total} given): split the delivery.</source>
        <translation>Một phiếu nhập có giá trị tối đa {max} (đang có {total}): hãy chia thành nhiều phiếu.</translation>
    </message>
    <message>
        <source>A shop name has at most {shop_name_len} characters</source>
        <translation>Tên gian hàng tối đa {shop_name_len} ký tự</translation>
    </message>
    <message>
        <source>Action {number} no longer exists.</source>
        <translation>Thao tác {number} không còn nữa.</translation>
    </message>
    <message>
        <source>Action {number} was already delivered.</source>
        <translation>Thao tác {number} đã được gửi đi rồi.</translation>
    </message>
    <message>
        <source>Action {number} was already delivered: nothing to retry.</source>
        <translation>Thao tác {number} đã được gửi đi rồi: không cần thử lại.</translation>
    </message>
    <message>
        <source>Action {number} was discarded: nothing to retry.</source>
        <translation>Thao tác {number} đã bị bỏ: không thể thử lại.</translation>
    </message>
    <message>
        <source>Add a GHN account in Settings → Logistics first: the address lists come from GHN.</source>
        <translation>Hãy thêm tài khoản GHN ở Cài đặt → Vận chuyển trước: danh sách địa chỉ lấy từ GHN.</translation>
    </message>
    <message>
        <source>An Excel sheet holds at most {limit} rows: narrow the selection.</source>
        <translation>Một trang Excel chứa tối đa {limit} dòng: hãy thu hẹp lựa chọn.</translation>
    </message>
    <message>
        <source>An image has neither a file nor an id.</source>
        <translation>Có ảnh không có tệp cũng không có mã.</translation>
    </message>
    <message>
        <source>An image of this product was removed meanwhile: close the form and open it again.</source>
        <translation>Một ảnh của sản phẩm này vừa bị xóa: hãy đóng biểu mẫu rồi mở lại.</translation>
    </message>
    <message>
        <source>Authorisation ends {when} ({app} does not extend it when the app renews the tokens): re-authorise {shop} in Settings → Sales channels before then, or its sync stops.</source>
        <translation>Ủy quyền hết hạn lúc {when} ({app} không gia hạn khi ứng dụng làm mới token): hãy ủy quyền lại {shop} trong Cài đặt → Kênh bán hàng trước thời điểm đó, nếu không gian hàng sẽ ngừng đồng bộ.</translation>
    </message>
    <message>
        <source>Authorisation ends {when}: re-authorise {shop} in Settings → Sales channels before then, or its sync stops.</source>
        <translation>Ủy quyền hết hạn lúc {when}: hãy ủy quyền lại {shop} trong Cài đặt → Kênh bán hàng trước thời điểm đó, nếu không gian hàng sẽ ngừng đồng bộ.</translation>
    </message>
    <message>
        <source>Authorisation lost: re-authorise the shop in Settings → Sales channels: {reason}</source>
        <translation>Mất ủy quyền: hãy ủy quyền lại gian hàng trong Cài đặt → Kênh bán hàng: {reason}</translation>
    </message>
    <message>
        <source>Cannot write {name}: {reason}</source>
        <translation>Không ghi được {name}: {reason}</translation>
    </message>
    <message>
        <source>Carrier account {account_id} no longer exists.</source>
        <translation>Tài khoản vận chuyển {account_id} không còn tồn tại.</translation>
    </message>
    <message>
        <source>Carrier account {account} removed</source>
        <translation>Đã xóa tài khoản vận chuyển {account}</translation>
    </message>
    <message>
        <source>Choose a range of at most {limit} days.</source>
        <translation>Hãy chọn khoảng thời gian tối đa {limit} ngày.</translation>
    </message>
    <message>
        <source>Choose at least one column to export.</source>
        <translation>Hãy chọn ít nhất một cột để xuất.</translation>
    </message>
    <message>
        <source>Could not check the account with {carrier_names}: {user_message}</source>
        <translation>Không kiểm tra được tài khoản với {carrier_names}: {user_message}</translation>
    </message>
    <message>
        <source>Could not reach the marketplace (will retry): {reason}</source>
        <translation>Không kết nối được sàn (sẽ thử lại): {reason}</translation>
    </message>
    <message>
        <source>Daily API limit reached (paused): {reason}</source>
        <translation>Đã hết hạn mức API trong ngày (tạm dừng): {reason}</translation>
    </message>
    <message>
        <source>Demo data: {orders} orders, {customers} customers</source>
        <translation>Dữ liệu mẫu: {orders} đơn hàng, {customers} khách hàng</translation>
    </message>
    <message>
        <source>Documents print in vi or en, not {lang}.</source>
        <translation>Chứng từ in bằng vi hoặc en, không phải {lang}.</translation>
    </message>
    <message>
        <source>Each side must be 1-{most} cm (got {length} × {width} × {height}).</source>
        <translation>Mỗi cạnh phải từ 1 đến {most} cm (đang là {length} × {width} × {height}).</translation>
    </message>
    <message>
        <source>Export to an .xlsx file (Excel workbook), not {name}.</source>
        <translation>Hãy xuất ra tệp .xlsx (tệp Excel), không phải {name}.</translation>
    </message>
    <message>
        <source>Exported {title}</source>
        <translation>Đã xuất {title}</translation>
    </message>
    <message>
        <source>Give a number of points between -{limit} and {limit}, not 0.</source>
        <translation>Hãy nhập số điểm từ -{limit} đến {limit}, khác 0.</translation>
    </message>
    <message>
        <source>Images can only be added in an installed shop (no data folder).</source>
        <translation>Chỉ thêm được ảnh khi ứng dụng đã cài đặt cho cửa hàng (chưa có thư mục dữ liệu).</translation>
    </message>
    <message>
        <source>Imported {file} ({format}) into {shop}: {rows} rows; orders {orders}; {lines} lines written ({seconds} s).</source>
        <translation>Đã nhập {file} ({format}) vào {shop}: {rows} dòng; đơn hàng {orders}; đã ghi {lines} dòng sản phẩm ({seconds} giây).</translation>
    </message>
    <message>
        <source>Imported {file} ({format}) into {shop}: {rows} rows; orders {orders}; {lines} lines written; {extra} ({seconds} s).</source>
        <translation>Đã nhập {file} ({format}) vào {shop}: {rows} dòng; đơn hàng {orders}; đã ghi {lines} dòng sản phẩm; {extra} ({seconds} giây).</translation>
    </message>
    <message>
        <source>Imported {file} ({format}) into {shop}: {rows} rows; orders {orders}; {lines} lines written; {extra}; {rejected} rows rejected ({seconds} s).</source>
        <translation>Đã nhập {file} ({format}) vào {shop}: {rows} dòng; đơn hàng {orders}; đã ghi {lines} dòng sản phẩm; {extra}; {rejected} dòng bị từ chối ({seconds} giây).</translation>
    </message>
    <message>
        <source>Imported {file} ({format}) into {shop}: {rows} rows; orders {orders}; {lines} lines written; {rejected} rows rejected ({seconds} s).</source>
        <translation>Đã nhập {file} ({format}) vào {shop}: {rows} dòng; đơn hàng {orders}; đã ghi {lines} dòng sản phẩm; {rejected} dòng bị từ chối ({seconds} giây).</translation>
    </message>
    <message>
        <source>Imported {file}: {rows} rows; orders {orders}; {lines} lines written ({seconds} s).</source>
        <translation>Đã nhập {file}: {rows} dòng; đơn hàng {orders}; đã ghi {lines} dòng sản phẩm ({seconds} giây).</translation>
    </message>
    <message>
        <source>Imported {file}: {rows} rows; orders {orders}; {lines} lines written; {created} ({seconds} s).</source>
        <translation>Đã nhập {file}: {rows} dòng; đơn hàng {orders}; đã ghi {lines} dòng sản phẩm; {created} ({seconds} giây).</translation>
    </message>
    <message>
        <source>Imported {file}: {rows} rows; orders {orders}; {lines} lines written; {created}; {rejected} rows rejected ({seconds} s).</source>
        <translation>Đã nhập {file}: {rows} dòng; đơn hàng {orders}; đã ghi {lines} dòng sản phẩm; {created}; {rejected} dòng bị từ chối ({seconds} giây).</translation>
    </message>
    <message>
        <source>Imported {file}: {rows} rows; orders {orders}; {lines} lines written; {rejected} rows rejected ({seconds} s).</source>
        <translation>Đã nhập {file}: {rows} dòng; đơn hàng {orders}; đã ghi {lines} dòng sản phẩm; {rejected} dòng bị từ chối ({seconds} giây).</translation>
    </message>
    <message>
        <source>Imported {file}: {rows} rows; products {products}; variants {variants}; {moves} stock movements ({seconds} s).</source>
        <translation>Đã nhập {file}: {rows} dòng; sản phẩm {products}; phân loại {variants}; {moves} lần thay đổi tồn kho ({seconds} giây).</translation>
    </message>
    <message>
        <source>Imported {file}: {rows} rows; products {products}; variants {variants}; {moves} stock movements; {listings} shop listings added ({seconds} s).</source>
        <translation>Đã nhập {file}: {rows} dòng; sản phẩm {products}; phân loại {variants}; {moves} lần thay đổi tồn kho; thêm {listings} lượt đăng bán lên gian hàng ({seconds} giây).</translation>
    </message>
    <message>
        <source>Imported {file}: {rows} rows; products {products}; variants {variants}; {moves} stock movements; {listings} shop listings added; {rejected} rows rejected ({seconds} s).</source>
        <translation>Đã nhập {file}: {rows} dòng; sản phẩm {products}; phân loại {variants}; {moves} lần thay đổi tồn kho; thêm {listings} lượt đăng bán lên gian hàng; {rejected} dòng bị từ chối ({seconds} giây).</translation>
    </message>
    <message>
        <source>Imported {file}: {rows} rows; products {products}; variants {variants}; {moves} stock movements; {rejected} rows rejected ({seconds} s).</source>
        <translation>Đã nhập {file}: {rows} dòng; sản phẩm {products}; phân loại {variants}; {moves} lần thay đổi tồn kho; {rejected} dòng bị từ chối ({seconds} giây).</translation>
    </message>
    <message>
        <source>Imported {file}: {rows} rows; {new} new customers, {updated} updated, {unchanged} unchanged, {skipped} skipped ({seconds} s).</source>
        <translation>Đã nhập {file}: {rows} dòng; {new} khách hàng mới, {updated} cập nhật, {unchanged} không đổi, {skipped} bỏ qua ({seconds} giây).</translation>
    </message>
    <message>
        <source>Imported {file}: {rows} rows; {new} new customers, {updated} updated, {unchanged} unchanged, {skipped} skipped; {rejected} rows rejected ({seconds} s).</source>
        <translation>Đã nhập {file}: {rows} dòng; {new} khách hàng mới, {updated} cập nhật, {unchanged} không đổi, {skipped} bỏ qua; {rejected} dòng bị từ chối ({seconds} giây).</translation>
    </message>
    <message>
        <source>Keep between 1 and {limit} backups (got {keep}).</source>
        <translation>Giữ từ 1 đến {limit} bản sao lưu (đang là {keep}).</translation>
    </message>
    <message>
        <source>Line {line}: the image {source} cannot be printed: use a picture file on this computer (its full path) or {logo}.</source>
        <translation>Dòng {line}: không in được ảnh {source}: hãy dùng một tệp ảnh trên máy tính này (ghi đầy đủ đường dẫn) hoặc {logo}.</translation>
    </message>
    <message>
        <source>Line {line}: {placeholder} can only be used inside one of these lists: {sections}.</source>
        <translation>Dòng {line}: {placeholder} chỉ dùng được bên trong một trong các danh sách: {sections}.</translation>
    </message>
    <message>
        <source>Line {line}: {placeholder} can only be used inside {section}.</source>
        <translation>Dòng {line}: {placeholder} chỉ dùng được bên trong {section}.</translation>
    </message>
    <message>
        <source>Line {line}: {section} is inside {section} itself: a list cannot repeat inside itself.</source>
        <translation>Dòng {line}: {section} nằm bên trong chính {section}: một danh sách không thể lặp lại bên trong chính nó.</translation>
    </message>
    <message>
        <source>Marketplace shop {ext} is already linked to another shop.</source>
        <translation>Gian hàng {ext} trên sàn đã được liên kết với gian hàng khác.</translation>
    </message>
    <message>
        <source>Name the shop the orders belong to</source>
        <translation>Hãy ghi tên gian hàng của các đơn này</translation>
    </message>
    <message>
        <source>Name the shop the orders of {format_names} belong to (--shop NAME)</source>
        <translation>Hãy ghi tên gian hàng của các đơn {format_names} (--shop NAME)</translation>
    </message>
    <message>
        <source>Name the supplier the {paid} was paid to: a receipt without one records nothing paid.</source>
        <translation>Hãy ghi tên nhà cung cấp đã nhận {paid}: phiếu nhập không có nhà cung cấp thì không ghi nhận tiền đã trả.</translation>
    </message>
    <message>
        <source>No data dir is open.</source>
        <translation>Chưa mở thư mục dữ liệu nào.</translation>
    </message>
    <message>
        <source>No data directory: the encryption key for shop secrets has no home.</source>
        <translation>Không có thư mục dữ liệu: khóa mã hóa bí mật của gian hàng không có chỗ lưu.</translation>
    </message>
    <message>
        <source>No data directory: the label has nowhere to go.</source>
        <translation>Không có thư mục dữ liệu: không có chỗ lưu nhãn vận chuyển.</translation>
    </message>
    <message>
        <source>No marketplace shop is called {wanted} (there are: {known}).</source>
        <translation>Không có gian hàng trên sàn nào tên {wanted} (hiện có: {known}).</translation>
    </message>
    <message>
        <source>No shop is named {name} (shops: {known}).</source>
        <translation>Không có gian hàng nào tên {name} (các gian hàng: {known}).</translation>
    </message>
    <message>
        <source>No shop with id {missing}.</source>
        <translation>Không có gian hàng mã {missing}.</translation>
    </message>
    <message>
        <source>Order edited</source>
        <translation>Đơn hàng đã được sửa</translation>
    </message>
    <message>
        <source>Order {external_id} already has shipment {shipment}: cancel it first.</source>
        <translation>Đơn {external_id} đã có vận đơn {shipment}: hãy hủy vận đơn trước.</translation>
    </message>
    <message>
        <source>Order {external_id} is {status}: it cannot become returned.</source>
        <translation>Đơn {external_id} đang ở trạng thái {status}: không thể chuyển sang Đã trả hàng.</translation>
    </message>
    <message>
        <source>Order {external_id} is {status}: only pending or confirmed orders can be shipped.</source>
        <translation>Đơn {external_id} đang ở trạng thái {status}: chỉ giao được đơn chờ xác nhận hoặc đã xác nhận.</translation>
    </message>
    <message>
        <source>Order {external_id} ships with its marketplace&apos;s logistics.</source>
        <translation>Đơn {external_id} được giao bằng dịch vụ vận chuyển của sàn.</translation>
    </message>
    <message>
        <source>Order {order_id} no longer exists.</source>
        <translation>Đơn {order_id} không còn tồn tại.</translation>
    </message>
    <message>
        <source>Order {order} was sold on {day}, a day already over: its items, prices, discounts, voucher, points, shipping fee and payment can no longer change (that day&apos;s End of day would change). Cancel it and make a new order today instead; its delivery details, note and customer can still be edited.</source>
        <translation>Đơn {order} đã bán ngày {day}, ngày đó đã chốt sổ: không thể đổi sản phẩm, giá, giảm giá, mã giảm giá, điểm, phí vận chuyển và cách thanh toán nữa (số liệu cuối ngày hôm đó sẽ bị thay đổi). Hãy hủy đơn và tạo đơn mới hôm nay; thông tin giao hàng, ghi chú và khách hàng vẫn sửa được.</translation>
    </message>
    <message>
        <source>Pick the recipient&apos;s district and ward.</source>
        <translation>Hãy chọn quận/huyện và phường/xã của người nhận.</translation>
    </message>
    <message>
        <source>Points may pay between 1% and 100% of an order.</source>
        <translation>Điểm chỉ được trả từ 1% đến 100% giá trị đơn.</translation>
    </message>
    <message>
        <source>Product {product_id} no longer exists.</source>
        <translation>Sản phẩm {product_id} không còn tồn tại.</translation>
    </message>
    <message>
        <source>Ranks: {up} moved up, {down} moved down ({pinned} pinned left alone).</source>
        <translation>Xếp hạng: {up} khách lên hạng, {down} khách xuống hạng ({pinned} khách được giữ hạng không đổi).</translation>
    </message>
    <message>
        <source>Ranks: {up} moved up, {down} moved down; {levels} moved up a level ({pinned} pinned left alone).</source>
        <translation>Xếp hạng: {up} khách lên hạng, {down} khách xuống hạng; {levels} khách lên nhóm ({pinned} khách được giữ hạng không đổi).</translation>
    </message>
    <message>
        <source>Ranks: {up} would move up, {down} would move down ({pinned} pinned left alone).</source>
        <translation>Xếp hạng (chạy thử): {up} khách sẽ lên hạng, {down} khách sẽ xuống hạng ({pinned} khách được giữ hạng không đổi).</translation>
    </message>
    <message>
        <source>Ranks: {up} would move up, {down} would move down; {levels} would move up a level ({pinned} pinned left alone).</source>
        <translation>Xếp hạng (chạy thử): {up} khách sẽ lên hạng, {down} khách sẽ xuống hạng; {levels} khách sẽ lên nhóm ({pinned} khách được giữ hạng không đổi).</translation>
    </message>
    <message>
        <source>Rebuilt the dashboards&apos; summaries of {count} orders</source>
        <translation>Đã tính lại số liệu tổng hợp của {count} đơn hàng</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>SKU {sku} belongs to another product than the SKU on row {owner}: the rows of one product name must be one product</source>
        <translation>SKU {sku} thuộc sản phẩm khác với SKU ở dòng {owner}: các dòng cùng tên sản phẩm phải là một sản phẩm</translation>
    </message>
    <message>
        <source>SKU {sku} is on {length} active variants (products {products}): make it unique in the app first</source>
        <translation>SKU {sku} có ở {length} phân loại đang bán (sản phẩm {products}): hãy làm cho SKU này không trùng trong ứng dụng trước</translation>
    </message>
    <message>
        <source>SKU {sku} shares the stock of SKU group {group} with SKU {other_sku} on row {row}, which gives {first}</source>
        <translation>SKU {sku} dùng chung tồn kho nhóm SKU {group} với SKU {other_sku} ở dòng {row}, dòng đó ghi {first}</translation>
    </message>
    <message>
        <source>Save the report as .csv or .xlsx, not {name}.</source>
        <translation>Hãy lưu báo cáo dạng .csv hoặc .xlsx, không phải {name}.</translation>
    </message>
    <message>
        <source>Shipment {shipment_id} no longer exists.</source>
        <translation>Vận đơn {shipment_id} không còn tồn tại.</translation>
    </message>
    <message>
        <source>Shipment {shipment} is still live: cancel the shipment first (the carrier would still deliver the order).</source>
        <translation>Vận đơn {shipment} vẫn còn hiệu lực: hãy hủy vận đơn trước (nếu không, đơn vị vận chuyển vẫn sẽ giao đơn).</translation>
    </message>
    <message>
        <source>Shipment {shipment} is {status}: it can no longer be cancelled.</source>
        <translation>Vận đơn {shipment} đang ở trạng thái {status}: không thể hủy nữa.</translation>
    </message>
    <message>
        <source>Shop {name} sells on {channel}: a {export_channel} export cannot be imported into it; choose a shop of that channel</source>
        <translation>Gian hàng {name} bán trên {channel}: không thể nhập tệp xuất của {export_channel} vào gian hàng này; hãy chọn gian hàng của kênh đó</translation>
    </message>
    <message>
        <source>Shop {shop_id} does not exist.</source>
        <translation>Gian hàng {shop_id} không tồn tại.</translation>
    </message>
    <message>
        <source>Shop {shop_id} was disconnected; tokens not kept.</source>
        <translation>Gian hàng {shop_id} đã ngắt kết nối; không lưu token.</translation>
    </message>
    <message>
        <source>Shop {shop} set up by {email}</source>
        <translation>{email} đã thiết lập cửa hàng {shop}</translation>
    </message>
    <message>
        <source>Statistics rebuilt for {count} customers ({corrected} corrected) in {seconds} s</source>
        <translation>Đã tính lại thống kê của {count} khách hàng ({corrected} được sửa) trong {seconds} giây</translation>
    </message>
    <message>
        <source>Sync failed: {reason}</source>
        <translation>Đồng bộ thất bại: {reason}</translation>
    </message>
    <message>
        <source>Text too long ({length} characters, at most {limit}).</source>
        <translation>Văn bản quá dài ({length} ký tự, tối đa {limit}).</translation>
    </message>
    <message>
        <source>The API host must be a plain address without query, fragment or password.</source>
        <translation>Địa chỉ API phải là địa chỉ thuần, không có tham số, phân đoạn hay mật khẩu.</translation>
    </message>
    <message>
        <source>The API host must use https (plain http is only allowed on this computer, for the sandbox).</source>
        <translation>Địa chỉ API phải dùng https (http chỉ được dùng trên máy này, cho môi trường thử).</translation>
    </message>
    <message>
        <source>The API host {host} has a bad port.</source>
        <translation>Địa chỉ API {host} có cổng không hợp lệ.</translation>
    </message>
    <message>
        <source>The API host {host} is not an http(s) address such as {live_host}.</source>
        <translation>Địa chỉ API {host} không phải địa chỉ http(s) như {live_host}.</translation>
    </message>
    <message>
        <source>The COD amount must be 0-{most} đ (got {amount} đ).</source>
        <translation>Tiền thu hộ (COD) phải từ 0 đến {most} ₫ (đang là {amount} ₫).</translation>
    </message>
    <message>
        <source>The account name is longer than 120 characters.</source>
        <translation>Tên tài khoản dài hơn 120 ký tự.</translation>
    </message>
    <message>
        <source>The account needs a name.</source>
        <translation>Tài khoản cần có tên.</translation>
    </message>
    <message>
        <source>The app is open on this data ({data_dir}) (or `primedist sync --loop` runs on it): close it first, or restore in the app (Settings → Backup &amp; restore).</source>
        <translation>Ứng dụng đang mở trên dữ liệu này ({data_dir}) (hoặc `primedist sync --loop` đang chạy): hãy đóng trước, hoặc khôi phục ngay trong ứng dụng (Cài đặt → Sao lưu &amp; khôi phục).</translation>
    </message>
    <message>
        <source>The app or another `primedist sync --loop` is running on this data ({data_dir}): it already syncs on schedule.</source>
        <translation>Ứng dụng hoặc một `primedist sync --loop` khác đang chạy trên dữ liệu này ({data_dir}): đồng bộ theo lịch đã đang chạy ở đó.</translation>
    </message>
    <message>
        <source>The authorisation code is empty or malformed.</source>
        <translation>Mã ủy quyền trống hoặc sai định dạng.</translation>
    </message>
    <message>
        <source>The backup to {path} failed: {exc}</source>
        <translation>Sao lưu vào {path} thất bại: {exc}</translation>
    </message>
    <message>
        <source>The carrier account {name} is {status}.</source>
        <translation>Tài khoản vận chuyển {name} đang {status}.</translation>
    </message>
    <message>
        <source>The column {header} is mapped to both {used} and {f}: map it once.</source>
        <translation>Cột {header} được gán cho cả {used} và {f}: chỉ gán một lần.</translation>
    </message>
    <message>
        <source>The credentials of {account} cannot be decrypted (the encryption key changed): enter them again with Update token in Settings → Logistics.</source>
        <translation>Không giải mã được thông tin đăng nhập của {account} (khóa mã hóa đã thay đổi): hãy nhập lại bằng Cập nhật token trong Cài đặt → Vận chuyển.</translation>
    </message>
    <message>
        <source>The earn rate must be between 0 and {limit} đ per point.</source>
        <translation>Tỉ lệ tích điểm phải từ 0 đến {limit} ₫ cho mỗi điểm.</translation>
    </message>
    <message>
        <source>The encryption key for shop secrets cannot be used ({name}): check {secret_key_path}.</source>
        <translation>Không dùng được khóa mã hóa bí mật của gian hàng ({name}): hãy kiểm tra {secret_key_path}.</translation>
    </message>
    <message>
        <source>The folder {folder} does not exist.</source>
        <translation>Thư mục {folder} không tồn tại.</translation>
    </message>
    <message>
        <source>The marketplace answered with an error (will retry): {reason}</source>
        <translation>Sàn trả về lỗi (sẽ thử lại): {reason}</translation>
    </message>
    <message>
        <source>The order template names its shops in a column: import it without a shop</source>
        <translation>Tệp mẫu đơn hàng ghi gian hàng trong một cột: hãy nhập mà không chọn gian hàng</translation>
    </message>
    <message>
        <source>The order template names the shop of each order in its shop column: import it without choosing a shop</source>
        <translation>Tệp mẫu đơn hàng ghi gian hàng của từng đơn ở cột gian hàng: hãy nhập mà không chọn gian hàng</translation>
    </message>
    <message>
        <source>The range starts ({start}) after it ends ({end}).</source>
        <translation>Khoảng thời gian bắt đầu ({start}) sau khi kết thúc ({end}).</translation>
    </message>
    <message>
        <source>The recipient&apos;s name is empty.</source>
        <translation>Tên người nhận đang trống.</translation>
    </message>
    <message>
        <source>The recipient&apos;s phone {phone} is not a phone number.</source>
        <translation>Số điện thoại người nhận {phone} không phải số điện thoại.</translation>
    </message>
    <message>
        <source>The redirect address {redirect} is not an http(s) URL.</source>
        <translation>Địa chỉ chuyển hướng {redirect} không phải URL http(s).</translation>
    </message>
    <message>
        <source>The refund must be between 0 and {refundable}.</source>
        <translation>Số tiền hoàn phải từ 0 đến {refundable}.</translation>
    </message>
    <message>
        <source>The shipment is not created with the carrier yet: no label.</source>
        <translation>Vận đơn chưa được tạo với đơn vị vận chuyển: chưa có nhãn.</translation>
    </message>
    <message>
        <source>The shop name is {length} characters; at most {limit}.</source>
        <translation>Tên gian hàng dài {length} ký tự; tối đa {limit}.</translation>
    </message>
    <message>
        <source>The shop needs a name.</source>
        <translation>Gian hàng cần có tên.</translation>
    </message>
    <message>
        <source>The shop of this sale no longer exists.</source>
        <translation>Gian hàng của đơn bán này không còn tồn tại.</translation>
    </message>
    <message>
        <source>The street address is empty.</source>
        <translation>Địa chỉ (số nhà, đường) đang trống.</translation>
    </message>
    <message>
        <source>The template is too long ({length} characters; at most {limit}).</source>
        <translation>Mẫu in quá dài ({length} ký tự; tối đa {limit}).</translation>
    </message>
    <message>
        <source>The template {template} is not for {doc_type}.</source>
        <translation>Mẫu in {template} không dành cho {doc_type}.</translation>
    </message>
    <message>
        <source>The {id_label} is empty.</source>
        <translation>{id_label} đang trống.</translation>
    </message>
    <message>
        <source>The {id_label} {pid} has characters other than letters, digits and - . _ ~ (or is over {limit} long): copy it again from {console}.</source>
        <translation>{id_label} {pid} có ký tự không phải chữ cái, chữ số hay - . _ ~ (hoặc dài hơn {limit}): hãy sao chép lại từ {console}.</translation>
    </message>
    <message>
        <source>The {key_label} has spaces or characters that are not plain letters and digits: copy it again from {console}.</source>
        <translation>{key_label} có dấu cách hoặc ký tự không phải chữ cái, chữ số thông thường: hãy sao chép lại từ {console}.</translation>
    </message>
    <message>
        <source>The {key_label} is empty.</source>
        <translation>{key_label} đang trống.</translation>
    </message>
    <message>
        <source>The {name} redirect names the shop (shop_id=…): give its shop id too.</source>
        <translation>Địa chỉ chuyển hướng của {name} có ghi gian hàng (shop_id=…): hãy nhập cả mã gian hàng.</translation>
    </message>
    <message>
        <source>The {name} shop id {text} is empty or not a plain id.</source>
        <translation>Mã gian hàng {name} {text} trống hoặc không phải mã hợp lệ.</translation>
    </message>
    <message>
        <source>The {what} has spaces or characters it cannot have: copy it again.</source>
        <translation>{what} có dấu cách hoặc ký tự không hợp lệ: hãy sao chép lại.</translation>
    </message>
    <message>
        <source>The {what} is empty.</source>
        <translation>{what} đang trống.</translation>
    </message>
    <message>
        <source>The {what} is longer than {limit} characters.</source>
        <translation>{what} dài hơn {limit} ký tự.</translation>
    </message>
    <message>
        <source>The {what} {id} no longer exists.</source>
        <translation>Không còn {what} {id}.</translation>
    </message>
    <message>
        <source>The {what} {text} must be a number.</source>
        <translation>{what} {text} phải là số.</translation>
    </message>
    <message>
        <source>This account is disabled: ask the shop owner.</source>
        <translation>Tài khoản này đã bị khóa: hãy hỏi chủ cửa hàng.</translation>
    </message>
    <message>
        <source>This authorisation is for {name} shop {ext}, but {name2} is shop {external_shop_id}: sign in as that shop and try again (or add the other shop under its own name).</source>
        <translation>Ủy quyền này dành cho gian hàng {name} {ext}, nhưng {name2} là gian hàng {external_shop_id}: hãy đăng nhập bằng gian hàng đó rồi thử lại (hoặc thêm gian hàng kia dưới tên riêng).</translation>
    </message>
    <message>
        <source>This customer level no longer exists.</source>
        <translation>Nhóm khách hàng này không còn tồn tại.</translation>
    </message>
    <message>
        <source>This customer no longer exists.</source>
        <translation>Khách hàng này không còn tồn tại.</translation>
    </message>
    <message>
        <source>This shop is already set up: sign in instead.</source>
        <translation>Cửa hàng đã được thiết lập: hãy đăng nhập.</translation>
    </message>
    <message>
        <source>This voucher no longer exists.</source>
        <translation>Mã giảm giá này không còn tồn tại.</translation>
    </message>
    <message>
        <source>Unknown customer field {f} (fields: {fields}).</source>
        <translation>Trường khách hàng không hợp lệ {f} (các trường: {fields}).</translation>
    </message>
    <message>
        <source>Unknown duplicate policy {on_duplicate}: use skip, update or create.</source>
        <translation>Cách xử lý trùng không hợp lệ {on_duplicate}: dùng skip, update hoặc create.</translation>
    </message>
    <message>
        <source>Unknown export column {unknown} (columns: {columns}).</source>
        <translation>Cột xuất không hợp lệ {unknown} (các cột: {columns}).</translation>
    </message>
    <message>
        <source>Unknown grain {grain}: one of {choices}.</source>
        <translation>Đơn vị thời gian không hợp lệ {grain}: dùng một trong {choices}.</translation>
    </message>
    <message>
        <source>Unknown import format {format}: use {names} or auto</source>
        <translation>Định dạng nhập không hợp lệ {format}: dùng {names} hoặc auto</translation>
    </message>
    <message>
        <source>Unknown language {lang}: use vi or en.</source>
        <translation>Ngôn ngữ không hợp lệ {lang}: dùng vi hoặc en.</translation>
    </message>
    <message>
        <source>Unknown metric {metric}.</source>
        <translation>Chỉ số không hợp lệ {metric}.</translation>
    </message>
    <message>
        <source>Unknown module: {exc}</source>
        <translation>Phân hệ không hợp lệ: {exc}</translation>
    </message>
    <message>
        <source>Unknown ranking {kind}: one of {choices}.</source>
        <translation>Bảng xếp hạng không hợp lệ {kind}: dùng một trong {choices}.</translation>
    </message>
    <message>
        <source>User {user_id} does not exist or is deactivated.</source>
        <translation>Người dùng {user_id} không tồn tại hoặc đã bị khóa.</translation>
    </message>
    <message>
        <source>Variant {n}</source>
        <translation>Phân loại {n}</translation>
    </message>
    <message>
        <source>Variant {n} ({sku})</source>
        <translation>Phân loại {n} ({sku})</translation>
    </message>
    <message>
        <source>Voucher {code} does not exist or is switched off.</source>
        <translation>Mã giảm giá {code} không tồn tại hoặc đã tắt.</translation>
    </message>
    <message>
        <source>Voucher {code} has been used up.</source>
        <translation>Mã giảm giá {code} đã hết lượt dùng.</translation>
    </message>
    <message>
        <source>Voucher {code} has expired.</source>
        <translation>Mã giảm giá {code} đã hết hạn.</translation>
    </message>
    <message>
        <source>Voucher {code} is limited per customer: choose the customer first.</source>
        <translation>Mã giảm giá {code} giới hạn theo khách hàng: hãy chọn khách hàng trước.</translation>
    </message>
    <message>
        <source>Voucher {code} is not valid yet.</source>
        <translation>Mã giảm giá {code} chưa đến ngày áp dụng.</translation>
    </message>
    <message>
        <source>Voucher {code} was already used by {customer}.</source>
        <translation>Mã giảm giá {code} đã được {customer} sử dụng.</translation>
    </message>
    <message>
        <source>Voucher {code} was used on {used} orders: switch it off instead.</source>
        <translation>Mã giảm giá {code} đã dùng cho {used} đơn: hãy tắt mã thay vì xóa.</translation>
    </message>
    <message>
        <source>Voucher {code}: order below {minimum} đ (this order: {amount} đ).</source>
        <translation>Mã giảm giá {code}: đơn chưa đạt {minimum} ₫ (đơn này: {amount} ₫).</translation>
    </message>
    <message>
        <source>Wrong password.</source>
        <translation>Sai mật khẩu.</translation>
    </message>
    <message>
        <source>added {sku}</source>
        <translation>thêm {sku}</translation>
    </message>
    <message>
        <source>appears twice in the header of {file} (columns {first} and {second}); keep one</source>
        <translation>xuất hiện hai lần ở dòng tiêu đề của {file} (cột {first} và {second}); hãy giữ một cột</translation>
    </message>
    <message>
        <source>attributes {old} → {new}</source>
        <translation>thuộc tính {old} → {new}</translation>
    </message>
    <message>
        <source>barcode</source>
        <translation>mã vạch</translation>
    </message>
    <message>
        <source>barcode {code} is already used by {sku} of “{product}”.</source>
        <translation>mã vạch {code} đã được dùng cho {sku} của “{product}”.</translation>
    </message>
    <message>
        <source>barcode {barcode} is already on SKU {sku}</source>
        <translation>mã vạch {barcode} đã có ở SKU {sku}</translation>
    </message>
    <message>
        <source>category {old} → {new}</source>
        <translation>danh mục {old} → {new}</translation>
    </message>
    <message>
        <source>code</source>
        <translation>mã</translation>
    </message>
    <message>
        <source>created anyway: {why} is in use</source>
        <translation>vẫn tạo mới: {why} đang được dùng</translation>
    </message>
    <message>
        <source>customer code {code}</source>
        <translation>mã khách hàng {code}</translation>
    </message>
    <message>
        <source>customer group</source>
        <translation>nhóm khách hàng</translation>
    </message>
    <message>
        <source>daily: {file}</source>
        <translation>hằng ngày: {file}</translation>
    </message>
    <message>
        <source>deactivated {sku} (sold or listed before)</source>
        <translation>ngừng dùng {sku} (đã từng bán hoặc đăng bán)</translation>
    </message>
    <message>
        <source>deleted {sku}</source>
        <translation>xóa {sku}</translation>
    </message>
    <message>
        <source>description edited</source>
        <translation>sửa mô tả</translation>
    </message>
    <message>
        <source>differs from row {number} of the same order ({cell} vs {first})</source>
        <translation>khác với dòng {number} của cùng đơn ({cell} và {first})</translation>
    </message>
    <message>
        <source>district</source>
        <translation>quận/huyện</translation>
    </message>
    <message>
        <source>features edited</source>
        <translation>sửa đặc điểm</translation>
    </message>
    <message>
        <source>give it a SKU.</source>
        <translation>hãy nhập SKU.</translation>
    </message>
    <message>
        <source>give its {attribute}.</source>
        <translation>hãy nhập {attribute}.</translation>
    </message>
    <message>
        <source>has a value but {column}_name is empty: name the option</source>
        <translation>có giá trị nhưng {column}_name đang trống: hãy đặt tên thuộc tính</translation>
    </message>
    <message>
        <source>has the value {option} but its attribute has no name.</source>
        <translation>có giá trị {option} nhưng thuộc tính chưa có tên.</translation>
    </message>
    <message>
        <source>images reordered</source>
        <translation>sắp xếp lại ảnh</translation>
    </message>
    <message>
        <source>is empty</source>
        <translation>đang trống</translation>
    </message>
    <message>
        <source>is empty (a customer needs a name)</source>
        <translation>đang trống (khách hàng cần có tên)</translation>
    </message>
    <message>
        <source>is empty (a value is required)</source>
        <translation>đang trống (bắt buộc phải có giá trị)</translation>
    </message>
    <message>
        <source>is empty: the amount is needed</source>
        <translation>đang trống: cần có số tiền</translation>
    </message>
    <message>
        <source>is empty: the date is needed</source>
        <translation>đang trống: cần có ngày</translation>
    </message>
    <message>
        <source>is {length} characters long: the limit is {limit}</source>
        <translation>dài {length} ký tự: tối đa là {limit}</translation>
    </message>
    <message>
        <source>line {line}: an amount is negative</source>
        <translation>dòng {line}: có số tiền âm</translation>
    </message>
    <message>
        <source>line {line}: the quantity must be more than 0</source>
        <translation>dòng {line}: số lượng phải lớn hơn 0</translation>
    </message>
    <message>
        <source>listed again on {shop}</source>
        <translation>đăng bán lại trên {shop}</translation>
    </message>
    <message>
        <source>listed on {shop}</source>
        <translation>đăng bán trên {shop}</translation>
    </message>
    <message>
        <source>matched by code</source>
        <translation>khớp theo mã khách hàng</translation>
    </message>
    <message>
        <source>matched by phone</source>
        <translation>khớp theo số điện thoại</translation>
    </message>
    <message>
        <source>name</source>
        <translation>tên</translation>
    </message>
    <message>
        <source>name {old} → {new}</source>
        <translation>tên {old} → {new}</translation>
    </message>
    <message>
        <source>new shop</source>
        <translation>gian hàng mới</translation>
    </message>
    <message>
        <source>no product in the app has its SKUs: create the missing products, or give a product these SKUs</source>
        <translation>không có sản phẩm nào trong ứng dụng có các SKU này: hãy tạo sản phẩm còn thiếu, hoặc đặt các SKU này cho một sản phẩm</translation>
    </message>
    <message>
        <source>no shop is named {shop} (shops: {known}); add the shop in Settings first</source>
        <translation>không có gian hàng nào tên {shop} (các gian hàng: {known}); hãy thêm gian hàng ở Cài đặt trước</translation>
    </message>
    <message>
        <source>none</source>
        <translation>không có</translation>
    </message>
    <message>
        <source>order rejected because of row {row}</source>
        <translation>đơn bị từ chối do lỗi ở dòng {row}</translation>
    </message>
    <message>
        <source>order {order}: an amount is negative</source>
        <translation>đơn {order}: có số tiền âm</translation>
    </message>
    <message>
        <source>order {order}: the total {total} does not add up ({parts} from its parts)</source>
        <translation>đơn {order}: tổng tiền {total} không khớp ({parts} theo các khoản)</translation>
    </message>
    <message>
        <source>phone</source>
        <translation>số điện thoại</translation>
    </message>
    <message>
        <source>phone {phone}</source>
        <translation>số điện thoại {phone}</translation>
    </message>
    <message>
        <source>product rejected because of row {row}</source>
        <translation>sản phẩm bị từ chối do lỗi ở dòng {row}</translation>
    </message>
    <message>
        <source>province</source>
        <translation>tỉnh/thành phố</translation>
    </message>
    <message>
        <source>province code</source>
        <translation>mã tỉnh</translation>
    </message>
    <message>
        <source>recipient</source>
        <translation>người nhận</translation>
    </message>
    <message>
        <source>restored {file}; previous data saved as {safety_copy}</source>
        <translation>đã khôi phục {file}; dữ liệu trước đó được lưu tại {safety_copy}</translation>
    </message>
    <message>
        <source>segment</source>
        <translation>phân khúc</translation>
    </message>
    <message>
        <source>shares the stock of group {group} with {sku}: give both the same stock.</source>
        <translation>dùng chung tồn kho nhóm {group} với {sku}: hãy nhập cùng một tồn kho.</translation>
    </message>
    <message>
        <source>street</source>
        <translation>số nhà, đường</translation>
    </message>
    <message>
        <source>tag</source>
        <translation>thẻ</translation>
    </message>
    <message>
        <source>the SKU is already variant {n}&apos;s.</source>
        <translation>SKU trùng với phân loại {n}.</translation>
    </message>
    <message>
        <source>the SKU is longer than {limit} characters.</source>
        <translation>SKU dài hơn {limit} ký tự.</translation>
    </message>
    <message>
        <source>the barcode is already variant {n}&apos;s.</source>
        <translation>mã vạch trùng với phân loại {n}.</translation>
    </message>
    <message>
        <source>the barcode is longer than {limit} characters.</source>
        <translation>mã vạch dài hơn {limit} ký tự.</translation>
    </message>
    <message>
        <source>the cost cannot be negative.</source>
        <translation>giá vốn không được âm.</translation>
    </message>
    <message>
        <source>the discount price cannot be negative.</source>
        <translation>giá khuyến mãi không được âm.</translation>
    </message>
    <message>
        <source>the discount price is above the price.</source>
        <translation>giá khuyến mãi cao hơn giá bán.</translation>
    </message>
    <message>
        <source>the low-stock level cannot be negative.</source>
        <translation>mức sắp hết hàng không được âm.</translation>
    </message>
    <message>
        <source>the options {options} are already on row {other} of this product</source>
        <translation>các thuộc tính {options} đã có ở dòng {other} của sản phẩm này</translation>
    </message>
    <message>
        <source>the order has returned items: its lines cannot be replaced by import</source>
        <translation>đơn đã có hàng trả lại: không thể thay các dòng của đơn bằng tệp nhập</translation>
    </message>
    <message>
        <source>the order total would be {total}, less than the {refunded} already refunded</source>
        <translation>tổng đơn sẽ là {total}, thấp hơn {refunded} đã hoàn tiền</translation>
    </message>
    <message>
        <source>the order&apos;s subtotal {subtotal} is more than the limit</source>
        <translation>thành tiền của đơn {subtotal} vượt quá giới hạn</translation>
    </message>
    <message>
        <source>the price cannot be negative.</source>
        <translation>giá bán không được âm.</translation>
    </message>
    <message>
        <source>the same variant as row {n}.</source>
        <translation>trùng phân loại với dòng {n}.</translation>
    </message>
    <message>
        <source>the stock cannot be negative.</source>
        <translation>tồn kho không được âm.</translation>
    </message>
    <message>
        <source>these rows update the same product as the rows of {other_name} (row {first_row}): a product&apos;s rows need one product name</source>
        <translation>các dòng này cập nhật cùng sản phẩm với các dòng của {other_name} (dòng {first_row}): các dòng của một sản phẩm cần một tên sản phẩm</translation>
    </message>
    <message>
        <source>this order moves stock (it was made in the app): change it there, not by import</source>
        <translation>đơn này có làm thay đổi tồn kho (được tạo trong ứng dụng): hãy sửa trong ứng dụng, không sửa bằng tệp nhập</translation>
    </message>
    <message>
        <source>this variant is no longer part of the product: close the form and open it again.</source>
        <translation>phân loại này không còn thuộc sản phẩm: hãy đóng biểu mẫu rồi mở lại.</translation>
    </message>
    <message>
        <source>unknown order status {raw}; known: {known}</source>
        <translation>trạng thái đơn không hợp lệ {raw}; các trạng thái: {known}</translation>
    </message>
    <message>
        <source>unknown value {status} (use active or hidden)</source>
        <translation>giá trị không hợp lệ {status} (dùng Đang bán hoặc Đang ẩn)</translation>
    </message>
    <message>
        <source>unknown value {gender} (use female/male/other or nữ/nam/khác)</source>
        <translation>giá trị không hợp lệ {gender} (dùng nữ/nam/khác hoặc female/male/other)</translation>
    </message>
    <message>
        <source>1 customer deleted.</source>
        <translation>Đã xóa 1 khách hàng.</translation>
    </message>
    <message>
        <source>1 customer deleted; kept because they still owe money: {who}.</source>
        <translation>Đã xóa 1 khách hàng; giữ lại vì còn nợ: {who}.</translation>
    </message>
    <message>
        <source>1 order could not be read: {orders}.</source>
        <translation>Không đọc được 1 đơn hàng: {orders}.</translation>
    </message>
    <message>
        <source>A counter sale is not paid on delivery (COD): choose how the customer pays now.</source>
        <translation>Bán tại quầy không thu hộ (COD) được: hãy chọn cách khách trả ngay.</translation>
    </message>
    <message>
        <source>A customer pays in cash, by bank transfer, card, e-wallet or otherwise, not {method}.</source>
        <translation>Khách trả nợ bằng tiền mặt, chuyển khoản, thẻ, ví điện tử hoặc hình thức khác, không phải {method}.</translation>
    </message>
    <message>
        <source>A day that has not come yet cannot be counted.</source>
        <translation>Không thể kiểm két cho ngày chưa tới.</translation>
    </message>
    <message>
        <source>A level named {taken} already exists.</source>
        <translation>Đã có nhóm khách hàng tên {taken}.</translation>
    </message>
    <message>
        <source>A level price of 0 đ would give the goods away: type the price, or remove it.</source>
        <translation>Giá nhóm 0 đ là cho không hàng: hãy nhập giá, hoặc xóa giá này.</translation>
    </message>
    <message>
        <source>A password of digits only needs at least {count} of them: add letters, or more digits.</source>
        <translation>Mật khẩu chỉ gồm chữ số phải có ít nhất {count} chữ số: hãy thêm chữ cái hoặc thêm chữ số.</translation>
    </message>
    <message>
        <source>A point must be worth less than the {earn_per} đ spent to earn it: the points would give back more than the customer paid.</source>
        <translation>Giá trị một điểm phải nhỏ hơn {earn_per} ₫ khách chi để tích được điểm đó: nếu không, điểm thưởng sẽ hoàn lại cho khách nhiều hơn số tiền khách đã trả.</translation>
    </message>
    <message>
        <source>A product of order {external_id} was deleted since: the order cannot be edited.</source>
        <translation>Một sản phẩm của đơn {external_id} đã bị xóa: không thể sửa đơn này.</translation>
    </message>
    <message>
        <source>A quantity to return cannot be negative.</source>
        <translation>Số lượng trả lại không được âm.</translation>
    </message>
    <message>
        <source>A receipt image of {width} dots is wider than any thermal roll.</source>
        <translation>Ảnh hóa đơn rộng {width} điểm, vượt quá mọi khổ giấy in nhiệt.</translation>
    </message>
    <message>
        <source>A receipt takes at most {max} lines ({n} given): split the delivery.</source>
        <translation>Một phiếu nhập có tối đa {max} dòng (đang có {n}): hãy chia thành nhiều phiếu.</translation>
    </message>
    <message>
        <source>A receipt takes at most {max} lines: split the file.</source>
        <translation>Một phiếu nhập có tối đa {max} dòng: hãy chia tệp ra.</translation>
    </message>
    <message>
        <source>A sale on account needs a customer: choose who owes it.</source>
        <translation>Bán ghi nợ cần có khách hàng: hãy chọn người nợ.</translation>
    </message>
    <message>
        <source>A start label is for sheets of labels only: {paper} is a roll, which always prints from the next label.</source>
        <translation>Chỉ chọn tem bắt đầu được với tờ tem: {paper} là cuộn tem, luôn in từ tem kế tiếp.</translation>
    </message>
    <message>
        <source>A supplier is paid in cash, by bank transfer or otherwise, not by {method}.</source>
        <translation>Nhà cung cấp được trả bằng tiền mặt, chuyển khoản hoặc hình thức khác, không phải {method}.</translation>
    </message>
    <message>
        <source>A tax code has 10 digits (a branch&apos;s 13, as 0101234567-001): {code} is not one.</source>
        <translation>Mã số thuế có 10 chữ số (chi nhánh 13, như 0101234567-001): {code} không phải mã số thuế.</translation>
    </message>
    <message>
        <source>Add at least one product to the order.</source>
        <translation>Hãy thêm ít nhất một sản phẩm vào đơn.</translation>
    </message>
    <message>
        <source>Add at least one product to the receipt.</source>
        <translation>Hãy thêm ít nhất một sản phẩm vào phiếu nhập.</translation>
    </message>
    <message>
        <source>Already finished</source>
        <translation>Đã kết thúc</translation>
    </message>
    <message>
        <source>Already syncing on {pc}; its orders show when that sync finishes.</source>
        <translation>Đang được đồng bộ trên máy {pc}; đơn hàng sẽ hiện khi lần đồng bộ đó xong.</translation>
    </message>
    <message>
        <source>An adjustment is 1 to {max}, up or down.</source>
        <translation>Số tiền điều chỉnh từ 1 đến {max}, tăng hoặc giảm.</translation>
    </message>
    <message>
        <source>An in-memory database has no backups to restore.</source>
        <translation>Cơ sở dữ liệu trong bộ nhớ không có bản sao lưu để khôi phục.</translation>
    </message>
    <message>
        <source>An order takes at most {max} items ({n} given): split it.</source>
        <translation>Một đơn có tối đa {max} sản phẩm (đang có {n}): hãy tách đơn.</translation>
    </message>
    <message>
        <source>An order takes at most {max} lines ({n} given): split it.</source>
        <translation>Một đơn có tối đa {max} dòng (đang có {n}): hãy tách đơn.</translation>
    </message>
    <message>
        <source>An order&apos;s goods come to at most {max} ({total} given): split it.</source>
        <translation>Tiền hàng của một đơn tối đa là {max} (đang có {total}): hãy tách đơn.</translation>
    </message>
    <message>
        <source>Another Prime Distribution process is using the data (an import, a sync…): wait for it to finish, then restore.</source>
        <translation>Một tiến trình Prime Distribution khác đang dùng dữ liệu (đang nhập tệp, đồng bộ…): hãy đợi tiến trình đó xong rồi khôi phục.</translation>
    </message>
    <message>
        <source>Another task is writing to the shop&apos;s data (a sync, an import or another window); nothing was saved. Try again in a moment.</source>
        <translation>Một tác vụ khác đang ghi dữ liệu của cửa hàng (đồng bộ, nhập tệp hoặc một cửa sổ khác); chưa có gì được lưu. Hãy thử lại sau giây lát.</translation>
    </message>
    <message>
        <source>At most {limit} orders&apos; labels can be printed at once: select fewer.</source>
        <translation>Mỗi lần chỉ in được nhãn của tối đa {limit} đơn: hãy chọn ít đơn hơn.</translation>
    </message>
    <message>
        <source>At the warehouse</source>
        <translation>Nhập kho</translation>
    </message>
    <message>
        <source>Authorisation not completed</source>
        <translation>Chưa hoàn tất ủy quyền</translation>
    </message>
    <message>
        <source>Authorisation received</source>
        <translation>Đã nhận ủy quyền</translation>
    </message>
    <message>
        <source>Being picked up</source>
        <translation>Đang lấy hàng</translation>
    </message>
    <message>
        <source>Being returned</source>
        <translation>Đang hoàn hàng</translation>
    </message>
    <message>
        <source>Being sorted</source>
        <translation>Đang phân loại</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Đã hủy</translation>
    </message>
    <message>
        <source>Cannot reach the database server {server}. Check the network and that the server is running, then try again.</source>
        <translation>Không kết nối được máy chủ dữ liệu {server}. Hãy kiểm tra mạng và xem máy chủ có đang chạy không, rồi thử lại.</translation>
    </message>
    <message>
        <source>Cannot reach {platform} at {url}: {reason}.</source>
        <translation>Không kết nối được {platform} tại {url}: {reason}.</translation>
    </message>
    <message>
        <source>Cash came in or went out since the report was shown: the drawer should now hold {expected} đ. Check the count again.</source>
        <translation>Từ lúc mở báo cáo đã có tiền mặt vào hoặc ra khỏi két: két giờ phải có {expected} đ. Hãy đếm lại.</translation>
    </message>
    <message>
        <source>Choose how many of which lines go back.</source>
        <translation>Hãy chọn số lượng trả lại cho các dòng.</translation>
    </message>
    <message>
        <source>Choose the products whose prices change.</source>
        <translation>Hãy chọn các sản phẩm cần đổi giá.</translation>
    </message>
    <message>
        <source>Copying table {table} failed at row {row}: {error}. Nothing was written to the new database.</source>
        <translation>Sao chép bảng {table} thất bại ở dòng {row}: {error}. Chưa ghi gì vào cơ sở dữ liệu mới.</translation>
    </message>
    <message>
        <source>Copying table {table} failed linking row id={row_id} and the next ones ({columns}): {error}. Nothing was written.</source>
        <translation>Sao chép bảng {table} thất bại khi liên kết dòng id={row_id} và các dòng sau ({columns}): {error}. Chưa ghi gì.</translation>
    </message>
    <message>
        <source>Copying the data failed: {error}. Nothing was written.</source>
        <translation>Sao chép dữ liệu thất bại: {error}. Chưa ghi gì.</translation>
    </message>
    <message>
        <source>Corrected: {order} (amount changed)</source>
        <translation>Điều chỉnh điểm: đơn {order} (số tiền thay đổi)</translation>
    </message>
    <message>
        <source>Could not write {path}: {error}.</source>
        <translation>Không ghi được {path}: {error}.</translation>
    </message>
    <message>
        <source>Customer {id} no longer exists.</source>
        <translation>Khách hàng {id} không còn tồn tại.</translation>
    </message>
    <message>
        <source>Damaged</source>
        <translation>Hàng hư hỏng</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Giao hàng thành công</translation>
    </message>
    <message>
        <source>Delivery failed</source>
        <translation>Giao hàng không thành công</translation>
    </message>
    <message>
        <source>Demo data needs orders &gt;= 0 and at least one customer.</source>
        <translation>Dữ liệu mẫu cần số đơn hàng &gt;= 0 và ít nhất một khách hàng.</translation>
    </message>
    <message>
        <source>Diamond</source>
        <translation>Kim cương</translation>
    </message>
    <message>
        <source>District {district} is not in GHN&apos;s list for {province}.</source>
        <translation>Quận/huyện {district} không có trong danh sách của GHN cho {province}.</translation>
    </message>
    <message>
        <source>Earned on {order}</source>
        <translation>Tích điểm từ đơn {order}</translation>
    </message>
    <message>
        <source>Exception</source>
        <translation>Hàng ngoại lệ</translation>
    </message>
    <message>
        <source>Export to an .xlsx, .csv or .txt file, not {name}.</source>
        <translation>Hãy xuất ra tệp .xlsx, .csv hoặc .txt, không phải {name}.</translation>
    </message>
    <message>
        <source>Exported the end-of-day report of {day}</source>
        <translation>Đã xuất báo cáo cuối ngày {day}</translation>
    </message>
    <message>
        <source>Exported {count} SKU groups</source>
        <translation>Đã xuất {count} nhóm SKU</translation>
    </message>
    <message>
        <source>Exported {count} customers</source>
        <translation>Đã xuất {count} khách hàng</translation>
    </message>
    <message>
        <source>Exported {count} orders</source>
        <translation>Đã xuất {count} đơn hàng</translation>
    </message>
    <message>
        <source>Exported {count} variants</source>
        <translation>Đã xuất {count} phân loại</translation>
    </message>
    <message>
        <source>Exported {done} of {total}</source>
        <translation>Đã xuất {done}/{total}</translation>
    </message>
    <message>
        <source>Exported {rows} lines of goods receipts</source>
        <translation>Đã xuất {rows} dòng phiếu nhập hàng</translation>
    </message>
    <message>
        <source>Exported {rows} lines of purchase orders</source>
        <translation>Đã xuất {rows} dòng đơn đặt hàng nhập</translation>
    </message>
    <message>
        <source>Exported {rows} suppliers</source>
        <translation>Đã xuất {rows} nhà cung cấp</translation>
    </message>
    <message>
        <source>Exporting SKU groups</source>
        <translation>Đang xuất nhóm SKU</translation>
    </message>
    <message>
        <source>Exporting customers</source>
        <translation>Đang xuất khách hàng</translation>
    </message>
    <message>
        <source>Exporting orders</source>
        <translation>Đang xuất đơn hàng</translation>
    </message>
    <message>
        <source>Exporting products</source>
        <translation>Đang xuất sản phẩm</translation>
    </message>
    <message>
        <source>File too large</source>
        <translation>tệp quá lớn</translation>
    </message>
    <message>
        <source>GHN ShopId</source>
        <translation>ShopId GHN</translation>
    </message>
    <message>
        <source>GHN token</source>
        <translation>Token GHN</translation>
    </message>
    <message>
        <source>GHN: {message} ({path}). Check the GHN token (GHN account page → Token).</source>
        <translation>GHN: {message} ({path}). Hãy kiểm tra token GHN (trang tài khoản GHN → Token).</translation>
    </message>
    <message>
        <source>Give four thresholds: Diamond, Gold, Silver, Bronze.</source>
        <translation>Hãy nhập bốn ngưỡng: Kim cương, Vàng, Bạc, Đồng.</translation>
    </message>
    <message>
        <source>Give the amount to add (or, below 0, to take off).</source>
        <translation>Nhập số tiền cộng thêm (hoặc, nếu âm, số tiền trừ đi).</translation>
    </message>
    <message>
        <source>Give the change a name of 1 to {most} characters.</source>
        <translation>Hãy đặt tên cho chương trình, từ 1 đến {most} ký tự.</translation>
    </message>
    <message>
        <source>Give the database to copy into: postgresql+psycopg://USER:PASSWORD@HOST/DB (or sqlite:///FILE).</source>
        <translation>Hãy nhập cơ sở dữ liệu cần chép dữ liệu sang: postgresql+psycopg://USER:PASSWORD@HOST/DB (hoặc sqlite:///FILE).</translation>
    </message>
    <message>
        <source>Give the supplier&apos;s name.</source>
        <translation>Hãy nhập tên nhà cung cấp.</translation>
    </message>
    <message>
        <source>Given back: points redeemed on returned items of {order}</source>
        <translation>Hoàn điểm đã dùng cho hàng trả lại của đơn {order}</translation>
    </message>
    <message>
        <source>Given back: points redeemed on {order} ({status})</source>
        <translation>Hoàn điểm đã dùng cho đơn {order} ({status})</translation>
    </message>
    <message>
        <source>Given back: {order} edited</source>
        <translation>Hoàn điểm: đơn {order} đã được sửa</translation>
    </message>
    <message>
        <source>Gold</source>
        <translation>Vàng</translation>
    </message>
    <message>
        <source>Goods of {code} came already: close it instead.</source>
        <translation>Hàng của {code} đã về một phần: hãy kết thúc đơn thay vì hủy.</translation>
    </message>
    <message>
        <source>Goods of {code} came already: it can no longer be changed.</source>
        <translation>Hàng của {code} đã về: không thể sửa đơn nữa.</translation>
    </message>
    <message>
        <source>Goods of {code} went back to the supplier ({first}): it can no longer be cancelled.</source>
        <translation>Hàng của {code} đã được trả lại nhà cung cấp ({first}): không thể hủy phiếu nữa.</translation>
    </message>
    <message>
        <source>Goods receipt {id} no longer exists.</source>
        <translation>Phiếu nhập {id} không còn tồn tại.</translation>
    </message>
    <message>
        <source>Group {code} is {short} units short: deleting it would hide the shortfall without a stock movement. Add a listing of this item to the group, correct its stock with Stock in or a stock-take, then remove the listing and delete the group.</source>
        <translation>Nhóm {code} đang thiếu {short} sản phẩm: xóa nhóm lúc này sẽ che mất phần thiếu mà không ghi lại trong lịch sử kho. Hãy thêm một SKU của mặt hàng này vào nhóm, điều chỉnh tồn kho bằng Nhập kho hoặc kiểm kho, rồi gỡ SKU đó khỏi nhóm và xóa nhóm.</translation>
    </message>
    <message>
        <source>Group {code} still holds {stock} units: deleting it would lose them without a stock movement. Add a listing of this item to the group, take the {stock} units out with Stock out, then remove the listing and delete the group.</source>
        <translation>Nhóm {code} vẫn còn {stock} sản phẩm tồn kho: xóa nhóm lúc này sẽ mất số hàng đó mà không ghi lại trong lịch sử kho. Hãy thêm một SKU của mặt hàng này vào nhóm, xuất {stock} sản phẩm bằng Xuất kho, rồi gỡ SKU đó khỏi nhóm và xóa nhóm.</translation>
    </message>
    <message>
        <source>Imported {rows} suppliers: {created} new, {updated} updated</source>
        <translation>Đã nhập {rows} nhà cung cấp: {created} mới, {updated} cập nhật</translation>
    </message>
    <message>
        <source>In transit</source>
        <translation>Đang trung chuyển</translation>
    </message>
    <message>
        <source>It has no shipment with a carrier: ship it first.</source>
        <translation>Đơn chưa tạo vận đơn với hãng vận chuyển: hãy giao hàng trước.</translation>
    </message>
    <message>
        <source>It ships with its marketplace&apos;s logistics: its label is printed from the marketplace.</source>
        <translation>Đơn giao bằng vận chuyển của sàn: in nhãn trên trang của sàn.</translation>
    </message>
    <message>
        <source>Its shipment is not with the carrier yet (waiting to be sent): try again in a moment.</source>
        <translation>Vận đơn chưa được gửi tới hãng vận chuyển (đang chờ gửi): thử lại sau ít phút.</translation>
    </message>
    <message>
        <source>J&amp;T API account</source>
        <translation>Tài khoản API J&amp;T</translation>
    </message>
    <message>
        <source>J&amp;T Express gives its fee only when the shipment is created: it then shows in the shipments list.</source>
        <translation>J&amp;T Express chỉ báo phí khi tạo vận đơn: phí sẽ hiện trong danh sách vận đơn.</translation>
    </message>
    <message>
        <source>J&amp;T customer code</source>
        <translation>Mã khách hàng J&amp;T</translation>
    </message>
    <message>
        <source>J&amp;T private key</source>
        <translation>Khóa bí mật J&amp;T</translation>
    </message>
    <message>
        <source>J&amp;T: {message} ({path}). Check the J&amp;T API account and private key.</source>
        <translation>J&amp;T: {message} ({path}). Hãy kiểm tra tài khoản API và khóa bí mật (private key) của J&amp;T.</translation>
    </message>
    <message>
        <source>Labels can be printed for at most {max} products at a time ({n} are selected).</source>
        <translation>Mỗi lần chỉ in tem được cho tối đa {max} sản phẩm (đang chọn {n}).</translation>
    </message>
    <message>
        <source>Lazada item {item} could not be read: {reason}</source>
        <translation>Không đọc được sản phẩm Lazada {item}: {reason}</translation>
    </message>
    <message>
        <source>Lazada order {order} could not be read: {reason}</source>
        <translation>Không đọc được đơn Lazada {order}: {reason}</translation>
    </message>
    <message>
        <source>Line {line} ({sku}): the price cannot be more than {max}.</source>
        <translation>Dòng {line} ({sku}): giá không được lớn hơn {max}.</translation>
    </message>
    <message>
        <source>Line {line} ({sku}): the quantity cannot be more than {max}.</source>
        <translation>Dòng {line} ({sku}): số lượng không được lớn hơn {max}.</translation>
    </message>
    <message>
        <source>Line {line} is not on {receipt}.</source>
        <translation>Dòng {line} không thuộc {receipt}.</translation>
    </message>
    <message>
        <source>Line {line}: SKU {sku} has {available} available (on hand less those held for orders): the {quantity} that came in cannot be taken back.</source>
        <translation>Dòng {line}: SKU {sku} chỉ còn {available} có thể bán (tồn kho trừ hàng giữ cho đơn): không thể rút lại {quantity} đã nhập ra khỏi kho.</translation>
    </message>
    <message>
        <source>Line {line}: SKU {sku} has {on_hand} on hand, fewer than the {quantity} that came in (sold since): adjust its stock instead.</source>
        <translation>Dòng {line}: SKU {sku} chỉ còn {on_hand} trong kho, ít hơn {quantity} đã nhập (đã bán bớt): hãy điều chỉnh tồn kho thay vì hủy phiếu.</translation>
    </message>
    <message>
        <source>Line {line}: SKU {sku} was removed from its product.</source>
        <translation>Dòng {line}: SKU {sku} đã bị gỡ khỏi sản phẩm.</translation>
    </message>
    <message>
        <source>Line {line}: the product is on the order already.</source>
        <translation>Dòng {line}: sản phẩm đã có trong đơn.</translation>
    </message>
    <message>
        <source>Line {line}: the product is on the receipt already.</source>
        <translation>Dòng {line}: sản phẩm đã có trong phiếu.</translation>
    </message>
    <message>
        <source>Line {line}: the product variant no longer exists.</source>
        <translation>Dòng {line}: phân loại sản phẩm không còn tồn tại.</translation>
    </message>
    <message>
        <source>Line {line}: the quantity must be 1 to {max}.</source>
        <translation>Dòng {line}: số lượng phải từ 1 đến {max}.</translation>
    </message>
    <message>
        <source>Line {line}: the section {section} is never closed (add {closing}).</source>
        <translation>Dòng {line}: phần {section} chưa được đóng (hãy thêm {closing}).</translation>
    </message>
    <message>
        <source>Line {line}: the unit cost must be 0 to {max}.</source>
        <translation>Dòng {line}: giá vốn phải từ 0 đến {max}.</translation>
    </message>
    <message>
        <source>Line {line}: {closing} closes a section that is not open (the open section is {section}).</source>
        <translation>Dòng {line}: {closing} đóng một phần chưa mở (phần đang mở là {section}).</translation>
    </message>
    <message>
        <source>Line {line}: {closing} closes a section that is not open.</source>
        <translation>Dòng {line}: {closing} đóng một phần chưa mở.</translation>
    </message>
    <message>
        <source>Line {line}: {placeholder} is not a known placeholder.</source>
        <translation>Dòng {line}: {placeholder} không phải biến có sẵn.</translation>
    </message>
    <message>
        <source>Linking {count} listings</source>
        <translation>Đang liên kết {count} sản phẩm</translation>
    </message>
    <message>
        <source>Lost</source>
        <translation>Hàng thất lạc</translation>
    </message>
    <message>
        <source>Name the supplier the goods are ordered from.</source>
        <translation>Hãy ghi tên nhà cung cấp nhận đơn đặt hàng.</translation>
    </message>
    <message>
        <source>No account has the email {email}.</source>
        <translation>Không có tài khoản nào có email {email}.</translation>
    </message>
    <message>
        <source>No answer from the browser in time. Open the authorisation link again, or paste the address the browser ended on.</source>
        <translation>Trình duyệt không phản hồi kịp. Hãy mở lại liên kết ủy quyền, hoặc dán địa chỉ cuối cùng trình duyệt hiển thị.</translation>
    </message>
    <message>
        <source>No category is named {name} (categories: {known}).</source>
        <translation>Không có danh mục nào tên {name} (các danh mục: {known}).</translation>
    </message>
    <message>
        <source>No customer group is named or coded {name} (groups: {known}).</source>
        <translation>Không có nhóm khách hàng nào có tên hoặc mã {name} (các nhóm: {known}).</translation>
    </message>
    <message>
        <source>No customer has the code {code}.</source>
        <translation>Không có khách hàng nào có mã {code}.</translation>
    </message>
    <message>
        <source>No customer has the source {name} (sources: {known}).</source>
        <translation>Không có khách hàng nào từ nguồn {name} (các nguồn: {known}).</translation>
    </message>
    <message>
        <source>No network address is set for the receipt printer.</source>
        <translation>Chưa đặt địa chỉ mạng cho máy in hóa đơn.</translation>
    </message>
    <message>
        <source>No product has the SKU or barcode {codes}.</source>
        <translation>Không có sản phẩm nào có SKU hoặc mã vạch {codes}.</translation>
    </message>
    <message>
        <source>No product has the SKU {skus}.</source>
        <translation>Không có sản phẩm nào có SKU {skus}.</translation>
    </message>
    <message>
        <source>No segment is named {name} (segments: {known}).</source>
        <translation>Không có phân khúc nào tên {name} (các phân khúc: {known}).</translation>
    </message>
    <message>
        <source>No serial port is set for the receipt printer.</source>
        <translation>Chưa đặt cổng COM cho máy in hóa đơn.</translation>
    </message>
    <message>
        <source>No shop is set up yet.</source>
        <translation>Chưa thiết lập cửa hàng.</translation>
    </message>
    <message>
        <source>No shop is set up yet: run `primedist init` first.</source>
        <translation>Chưa thiết lập cửa hàng: hãy chạy `primedist init` trước.</translation>
    </message>
    <message>
        <source>No space left on device</source>
        <translation>ổ đĩa đã hết dung lượng</translation>
    </message>
    <message>
        <source>No tag is named {name} (tags: {known}).</source>
        <translation>Không có thẻ nào tên {name} (các thẻ: {known}).</translation>
    </message>
    <message>
        <source>Not found</source>
        <translation>Không tìm thấy</translation>
    </message>
    <message>
        <source>Nothing of {code} came yet: cancel it instead.</source>
        <translation>Chưa nhận hàng nào của {code}: hãy hủy đơn thay vì kết thúc.</translation>
    </message>
    <message>
        <source>Nothing was applied: the stock-take would leave less than 0 on hand on {lines}. Stock went out of them while they were counted: count them again.</source>
        <translation>Chưa áp dụng gì: kiểm kho sẽ làm tồn kho dưới 0 ở {lines}. Hàng đã xuất đi trong lúc đang đếm: hãy đếm lại các dòng này.</translation>
    </message>
    <message>
        <source>Nothing {supplier} delivered before is low on stock: there is nothing to suggest.</source>
        <translation>Không có sản phẩm nào do {supplier} cung cấp trước đây đang sắp hết hàng: không có gì để gợi ý.</translation>
    </message>
    <message>
        <source>Only the discount price can be taken as a percentage off the selling price, or removed.</source>
        <translation>Chỉ giá khuyến mãi mới có thể tính theo % giảm so với giá bán, hoặc bỏ đi.</translation>
    </message>
    <message>
        <source>Only the owner may fill the shop with demo data.</source>
        <translation>Chỉ chủ cửa hàng được điền dữ liệu mẫu vào cửa hàng.</translation>
    </message>
    <message>
        <source>Only the owner may move the shop&apos;s data to another database.</source>
        <translation>Chỉ chủ cửa hàng được chuyển dữ liệu cửa hàng sang cơ sở dữ liệu khác.</translation>
    </message>
    <message>
        <source>Only the owner&apos;s own command line may reset the owner&apos;s password.</source>
        <translation>Chỉ chủ cửa hàng, bằng dòng lệnh trên máy của mình, mới đặt lại được mật khẩu chủ cửa hàng.</translation>
    </message>
    <message>
        <source>Only the owner, a manager or staff with the right “Export data” may export the shop&apos;s data to a file: ask the shop owner.</source>
        <translation>Chỉ chủ cửa hàng, quản lý hoặc nhân viên có quyền “Xuất dữ liệu” mới được xuất dữ liệu cửa hàng ra tệp: hãy hỏi chủ cửa hàng.</translation>
    </message>
    <message>
        <source>Only the owner, a manager or staff with the right “Refunds and returns” may cancel a paid order (its money goes back to the customer): ask the shop owner.</source>
        <translation>Chỉ chủ cửa hàng, quản lý hoặc nhân viên có quyền “Hoàn tiền và trả hàng” mới được hủy đơn đã thanh toán (tiền sẽ được trả lại cho khách): hãy hỏi chủ cửa hàng.</translation>
    </message>
    <message>
        <source>Only the owner, a manager or staff with the right “Refunds and returns” may take returns, give refunds or exchange items: ask the shop owner.</source>
        <translation>Chỉ chủ cửa hàng, quản lý hoặc nhân viên có quyền “Hoàn tiền và trả hàng” mới được nhận trả hàng, hoàn tiền hoặc đổi hàng: hãy hỏi chủ cửa hàng.</translation>
    </message>
    <message>
        <source>Order {external_id} has no customer to keep the address for.</source>
        <translation>Đơn {external_id} không gắn với khách hàng nào để lưu địa chỉ.</translation>
    </message>
    <message>
        <source>Order {external_id} is a marketplace order: change it in the marketplace.</source>
        <translation>Đơn {external_id} là đơn sàn: hãy sửa trên sàn.</translation>
    </message>
    <message>
        <source>Order {external_id} is a marketplace order: its address comes from the marketplace.</source>
        <translation>Đơn {external_id} là đơn sàn: địa chỉ do sàn cung cấp.</translation>
    </message>
    <message>
        <source>Order {external_id} is {status}: only a pending or confirmed order can be edited.</source>
        <translation>Đơn {external_id} đang ở trạng thái {status}: chỉ sửa được đơn chờ xác nhận hoặc đã xác nhận.</translation>
    </message>
    <message>
        <source>Order {external_id} is {status}: only a pending or confirmed order&apos;s address can be changed.</source>
        <translation>Đơn {external_id} đang ở trạng thái {status}: chỉ sửa được địa chỉ của đơn chờ xác nhận hoặc đã xác nhận.</translation>
    </message>
    <message>
        <source>Order {external_id} was paid with items returned from {returned_from} (an exchange): it cannot be edited or cancelled; return its items instead.</source>
        <translation>Đơn {external_id} được trả bằng hàng trả lại của đơn {returned_from} (đổi hàng): không thể sửa hay hủy đơn; hãy làm trả hàng cho đơn này.</translation>
    </message>
    <message>
        <source>Order {external_id}: delivery address changed</source>
        <translation>Đơn {external_id}: đã đổi địa chỉ giao hàng</translation>
    </message>
    <message>
        <source>Order {order} came from a marketplace: exchange it there.</source>
        <translation>Đơn {order} đến từ sàn TMĐT: hãy đổi hàng trên sàn.</translation>
    </message>
    <message>
        <source>Order {order} changed since the shipment was prepared. Prepare the shipment again.</source>
        <translation>Đơn {order} đã thay đổi từ lúc chuẩn bị vận đơn. Hãy chuẩn bị lại vận đơn.</translation>
    </message>
    <message>
        <source>Order {order} changed since the shipment was prepared: its goods weigh {now} g now ({was} g before). Prepare the shipment again.</source>
        <translation>Đơn {order} đã thay đổi từ lúc chuẩn bị vận đơn: hàng giờ nặng {now} g (trước là {was} g). Hãy chuẩn bị lại vận đơn.</translation>
    </message>
    <message>
        <source>Order {order} changed since the shipment was prepared: the cash on delivery is now {now} đ (it was {was} đ). Prepare the shipment again.</source>
        <translation>Đơn {order} đã thay đổi từ lúc chuẩn bị vận đơn: tiền thu hộ giờ là {now} ₫ (trước là {was} ₫). Hãy chuẩn bị lại vận đơn.</translation>
    </message>
    <message>
        <source>Order {order} is not ready to ship.</source>
        <translation>Đơn {order} chưa sẵn sàng để giao.</translation>
    </message>
    <message>
        <source>Order {order} is {status}: only completed orders can be exchanged.</source>
        <translation>Đơn {order} đang ở trạng thái {status}: chỉ đơn đã hoàn thành mới đổi hàng được.</translation>
    </message>
    <message>
        <source>Order {order} was changed on another screen or PC since you opened it (at {time}): nothing was saved. Close it and open it again to see the changes.</source>
        <translation>Đơn hàng {order} đã được thay đổi trên màn hình hoặc máy khác kể từ khi bạn mở (lúc {time}): chưa lưu gì cả. Hãy đóng lại rồi mở lại để xem các thay đổi.</translation>
    </message>
    <message>
        <source>Order {order} was changed on another screen or PC since you opened it (by {user} at {time}): nothing was saved. Close it and open it again to see the changes.</source>
        <translation>Đơn hàng {order} đã được thay đổi trên màn hình hoặc máy khác kể từ khi bạn mở (bởi {user} lúc {time}): chưa lưu gì cả. Hãy đóng lại rồi mở lại để xem các thay đổi.</translation>
    </message>
    <message>
        <source>Order {order} was paid: settle the difference now, not on account.</source>
        <translation>Đơn {order} đã được thanh toán: hãy thanh toán phần chênh lệch ngay, không ghi nợ.</translation>
    </message>
    <message>
        <source>Out for delivery</source>
        <translation>Đang giao hàng</translation>
    </message>
    <message>
        <source>PRIMEDIST_PG_DUMP names {path}, which is not a pg_dump program: set it to the path of pg_dump (in the bin folder of the PostgreSQL client tools).</source>
        <translation>PRIMEDIST_PG_DUMP trỏ tới {path}, không phải chương trình pg_dump: hãy đặt đường dẫn tới pg_dump (trong thư mục bin của bộ công cụ PostgreSQL).</translation>
    </message>
    <message>
        <source>Paid now must be less than the total {total} (all of it: choose cash).</source>
        <translation>Số tiền trả ngay phải nhỏ hơn tổng {total} (trả đủ: hãy chọn tiền mặt).</translation>
    </message>
    <message>
        <source>Password must be at least {count} characters</source>
        <translation>Mật khẩu phải có ít nhất {count} ký tự</translation>
    </message>
    <message>
        <source>Paste the address the browser showed after you approved.</source>
        <translation>Hãy dán địa chỉ trình duyệt hiển thị sau khi bạn đồng ý ủy quyền.</translation>
    </message>
    <message>
        <source>Payment {id} no longer exists.</source>
        <translation>Phiếu chi {id} không còn tồn tại.</translation>
    </message>
    <message>
        <source>Permission denied</source>
        <translation>không có quyền ghi vào đó</translation>
    </message>
    <message>
        <source>Pick at least two customers.</source>
        <translation>Chọn ít nhất hai khách hàng.</translation>
    </message>
    <message>
        <source>Picked up</source>
        <translation>Lấy hàng thành công</translation>
    </message>
    <message>
        <source>Pictures need the shop&apos;s data folder.</source>
        <translation>Cần thư mục dữ liệu của cửa hàng để lưu ảnh.</translation>
    </message>
    <message>
        <source>Points may pay at most {percent}% of this order ({cap} đ): it keeps the {kept} points it redeemed already, but cannot take more.</source>
        <translation>Điểm chỉ được trả tối đa {percent}% giá trị đơn này ({cap} ₫): đơn giữ lại {kept} điểm đã đổi, nhưng không thể dùng thêm.</translation>
    </message>
    <message>
        <source>Prime Distribution received the authorisation. Return to the app to see whether the shop is linked; you can close this tab.</source>
        <translation>Prime Distribution đã nhận được ủy quyền. Hãy quay lại ứng dụng để xem gian hàng đã được liên kết chưa; bạn có thể đóng thẻ này.</translation>
    </message>
    <message>
        <source>Printing to {printer} needs {module}.</source>
        <translation>In tới {printer} cần có {module}.</translation>
    </message>
    <message>
        <source>Province {province} is not in GHN&apos;s list.</source>
        <translation>Tỉnh/thành {province} không có trong danh sách của GHN.</translation>
    </message>
    <message>
        <source>Purchase order {id} no longer exists.</source>
        <translation>Đơn đặt hàng nhập {id} không còn tồn tại.</translation>
    </message>
    <message>
        <source>Re-authorise the shop in Settings → Sales channels, then sync again.</source>
        <translation>Hãy cấp quyền lại cho gian hàng trong Cài đặt → Kênh bán hàng, rồi đồng bộ lại.</translation>
    </message>
    <message>
        <source>Re-fetch stopped: {saved} orders were saved before the stop ({new} new, {updated} updated).</source>
        <translation>Đã dừng tải lại: đã lưu {saved} đơn trước khi dừng ({new} mới, {updated} cập nhật).</translation>
    </message>
    <message>
        <source>Read {count} listings</source>
        <translation>Đã đọc {count} sản phẩm</translation>
    </message>
    <message>
        <source>Read-only file system</source>
        <translation>ổ đĩa chỉ cho phép đọc</translation>
    </message>
    <message>
        <source>Reading the listings of {shop}</source>
        <translation>Đang đọc sản phẩm đang bán của {shop}</translation>
    </message>
    <message>
        <source>Reading the shop&apos;s listings from {platform} is not available yet; listings get their ids from synced orders.</source>
        <translation>Chưa hỗ trợ đọc sản phẩm của gian hàng từ {platform}; sản phẩm nhận mã trên sàn từ các đơn hàng được đồng bộ.</translation>
    </message>
    <message>
        <source>Redeemed on {order}</source>
        <translation>Dùng điểm cho đơn {order}</translation>
    </message>
    <message>
        <source>Restoring is not done from the app on a PostgreSQL server, which other PCs use at the same time. When every PC has closed the app, run: {command}</source>
        <translation>Không khôi phục từ ứng dụng trên máy chủ PostgreSQL vì các máy khác đang dùng cùng lúc. Sau khi mọi máy đã đóng ứng dụng, hãy chạy: {command}</translation>
    </message>
    <message>
        <source>Restoring is not done from the app on a PostgreSQL server, which other PCs use at the same time: when every PC has closed the app, restore a backup (.dump) with pg_restore --clean --if-exists.</source>
        <translation>Không khôi phục từ ứng dụng trên máy chủ PostgreSQL vì các máy khác đang dùng cùng lúc: sau khi mọi máy đã đóng ứng dụng, hãy khôi phục bản sao lưu (.dump) bằng pg_restore --clean --if-exists.</translation>
    </message>
    <message>
        <source>Return being sorted</source>
        <translation>Đang phân loại hàng hoàn</translation>
    </message>
    <message>
        <source>Return failed</source>
        <translation>Hoàn hàng không thành công</translation>
    </message>
    <message>
        <source>Return in transit</source>
        <translation>Đang trung chuyển hàng hoàn</translation>
    </message>
    <message>
        <source>Return {id} no longer exists.</source>
        <translation>Phiếu trả hàng {id} không còn tồn tại.</translation>
    </message>
    <message>
        <source>Returned by the carrier ({shipment})</source>
        <translation>Nhà vận chuyển hoàn về ({shipment})</translation>
    </message>
    <message>
        <source>Returned to the shop</source>
        <translation>Hoàn hàng thành công</translation>
    </message>
    <message>
        <source>Returned {items} item(s) for an exchange, credit {credit}, {kept} not restocked: {reason}</source>
        <translation>Trả {items} sản phẩm để đổi hàng, trị giá {credit} ₫ trừ vào đơn mới, {kept} sản phẩm không nhập lại kho: {reason}</translation>
    </message>
    <message>
        <source>Returned {items} item(s) for an exchange, credit {credit}: {reason}</source>
        <translation>Trả {items} sản phẩm để đổi hàng, trị giá {credit} ₫ trừ vào đơn mới: {reason}</translation>
    </message>
    <message>
        <source>Returned {items} item(s), refund {refund}, {kept} not restocked: {reason}</source>
        <translation>Trả {items} sản phẩm, hoàn {refund} ₫, {kept} sản phẩm không nhập lại kho: {reason}</translation>
    </message>
    <message>
        <source>Returned {items} item(s), refund {refund}: {reason}</source>
        <translation>Trả {items} sản phẩm, hoàn {refund} ₫: {reason}</translation>
    </message>
    <message>
        <source>Returning to the shop</source>
        <translation>Chuyển hoàn</translation>
    </message>
    <message>
        <source>Reversed: {order} is {status}</source>
        <translation>Trừ lại điểm: đơn {order} ({status})</translation>
    </message>
    <message>
        <source>Round to 1 to 1,000,000.</source>
        <translation>Làm tròn đến từ 1 đến 1.000.000.</translation>
    </message>
    <message>
        <source>SKU {sku} differs only in letter case from SKU {other} of a variant removed from this product (kept for its orders and history): give this variant another SKU.</source>
        <translation>Mã SKU {sku} chỉ khác chữ hoa/thường so với mã SKU {other} của một phân loại đã bỏ khỏi sản phẩm này (vẫn giữ lại cho đơn hàng và lịch sử): hãy đặt mã SKU khác cho phân loại này.</translation>
    </message>
    <message>
        <source>SKU {sku} differs only in letter case from SKU {other} of the same product</source>
        <translation>SKU {sku} chỉ khác chữ hoa/chữ thường so với SKU {other} của cùng sản phẩm</translation>
    </message>
    <message>
        <source>SKU {sku} differs only in letter case from SKU {other} of “{product}” (a product on no shop): a scan could not tell them apart</source>
        <translation>SKU {sku} chỉ khác chữ hoa/thường với SKU {other} của “{product}” (sản phẩm chưa bán trên gian hàng nào): máy quét không phân biệt được</translation>
    </message>
    <message>
        <source>SKU {sku} differs only in letter case from SKU {other} of “{product}” (a product on no shop): a scan could not tell them apart.</source>
        <translation>SKU {sku} chỉ khác chữ hoa/thường với SKU {other} của “{product}” (sản phẩm chưa bán trên gian hàng nào): máy quét không phân biệt được.</translation>
    </message>
    <message>
        <source>SKU {sku} differs only in letter case from SKU {other} of “{product}” on {shop}: a scan could not tell them apart</source>
        <translation>SKU {sku} chỉ khác chữ hoa/thường với SKU {other} của “{product}” trên {shop}: máy quét không phân biệt được</translation>
    </message>
    <message>
        <source>SKU {sku} differs only in letter case from SKU {other} of “{product}” on {shop}: a scan could not tell them apart.</source>
        <translation>SKU {sku} chỉ khác chữ hoa/thường với SKU {other} của “{product}” trên {shop}: máy quét không phân biệt được.</translation>
    </message>
    <message>
        <source>SKU {sku} has {available} available (on hand less those held for orders): {quantity} cannot go back.</source>
        <translation>SKU {sku} chỉ còn {available} có thể bán (tồn kho trừ hàng giữ cho đơn): không thể trả lại {quantity}.</translation>
    </message>
    <message>
        <source>SKU {sku} is on products of shops {shops} and {last}: say which in the shops column</source>
        <translation>SKU {sku} có trên sản phẩm của các gian hàng {shops} và {last}: ghi rõ gian hàng ở cột Gian hàng</translation>
    </message>
    <message>
        <source>SKU {sku} is on rows {first} and {second} with a unit cost on one only: give it on both or on neither.</source>
        <translation>SKU {sku} có ở dòng {first} và {second} nhưng chỉ một dòng có giá vốn: hãy ghi giá vốn ở cả hai dòng hoặc bỏ trống cả hai.</translation>
    </message>
    <message>
        <source>SKU {sku} is on rows {first} and {second} with different unit costs: give one.</source>
        <translation>SKU {sku} có ở dòng {first} và {second} với giá vốn khác nhau: hãy chỉ ghi một giá.</translation>
    </message>
    <message>
        <source>SKU {sku} is on {count} variants in the app: make it unique</source>
        <translation>SKU {sku} có ở {count} phân loại trong ứng dụng: hãy làm cho nó không trùng</translation>
    </message>
    <message>
        <source>SKU {sku} is that of a variant removed from this product (kept for its orders and history): give this variant another SKU.</source>
        <translation>Mã SKU {sku} là của một phân loại đã bỏ khỏi sản phẩm này (vẫn giữ lại cho đơn hàng và lịch sử): hãy đặt mã SKU khác cho phân loại này.</translation>
    </message>
    <message>
        <source>SKU {sku} of “{name}” is the barcode of SKU {other} of “{product}”: a scan of it would find “{product}”; give another SKU</source>
        <translation>mã SKU {sku} của “{name}” trùng mã vạch của SKU {other} thuộc “{product}”: quét mã này sẽ ra “{product}”; hãy dùng SKU khác</translation>
    </message>
    <message>
        <source>SKU {sku} of “{name}” is the barcode of {other} of “{product}”: a scan of it would find “{product}”.</source>
        <translation>mã SKU {sku} của “{name}” trùng mã vạch của {other} thuộc “{product}”: quét mã này sẽ ra “{product}”.</translation>
    </message>
    <message>
        <source>SKU {sku} shares the cost of SKU group {group} with SKU {other_sku} on row {row}, which gives {first}: give both the same cost</source>
        <translation>SKU {sku} dùng chung giá vốn của nhóm SKU {group} với SKU {other_sku} ở dòng {row} (giá {first}): hãy nhập cùng một giá vốn</translation>
    </message>
    <message>
        <source>SKU {sku} was deleted since: its stock is gone.</source>
        <translation>SKU {sku} đã bị xóa: không còn tồn kho.</translation>
    </message>
    <message>
        <source>SKU {sku}: copies must be between 0 and {max}.</source>
        <translation>SKU {sku}: số tem phải từ 0 đến {max}.</translation>
    </message>
    <message>
        <source>SKU {sku}: {problem}</source>
        <translation>SKU {sku}: {problem}</translation>
    </message>
    <message>
        <source>SKU {sku}: {quantity} in all is more than {max}.</source>
        <translation>SKU {sku}: tổng {quantity} vượt quá {max}.</translation>
    </message>
    <message>
        <source>SKU {sku}: {received} came in and {returned} went back already: at most {left} can go back.</source>
        <translation>SKU {sku}: đã nhập {received}, đã trả {returned}: chỉ trả lại được tối đa {left}.</translation>
    </message>
    <message>
        <source>Saving the file</source>
        <translation>Đang lưu tệp</translation>
    </message>
    <message>
        <source>Say why the balance changes.</source>
        <translation>Hãy ghi lý do điều chỉnh công nợ.</translation>
    </message>
    <message>
        <source>Say why the goods go back to the supplier.</source>
        <translation>Hãy ghi lý do trả hàng cho nhà cung cấp.</translation>
    </message>
    <message>
        <source>Say why the payment is cancelled.</source>
        <translation>Hãy ghi lý do hủy phiếu chi.</translation>
    </message>
    <message>
        <source>Say why the receipt is cancelled.</source>
        <translation>Hãy nói vì sao hủy phiếu.</translation>
    </message>
    <message>
        <source>Say why the rest will not come.</source>
        <translation>Hãy cho biết vì sao phần còn lại sẽ không về.</translation>
    </message>
    <message>
        <source>Say why the return is cancelled.</source>
        <translation>Hãy nói vì sao hủy phiếu trả hàng.</translation>
    </message>
    <message>
        <source>Several orders are numbered {number}: print one by its id ({ids}).</source>
        <translation>Có nhiều đơn hàng cùng số {number}: hãy in từng đơn theo ID ({ids}).</translation>
    </message>
    <message>
        <source>Ship at most {limit} orders at once.</source>
        <translation>Mỗi lần chỉ giao tối đa {limit} đơn.</translation>
    </message>
    <message>
        <source>Shipment {shipment} was cancelled: ship the order again instead.</source>
        <translation>Vận đơn {shipment} đã bị hủy: hãy tạo vận đơn mới cho đơn này.</translation>
    </message>
    <message>
        <source>Shipment {shipment} was made for the order as it is: cancel it first.</source>
        <translation>Vận đơn {shipment} đã được tạo theo đơn hiện tại: hãy hủy vận đơn trước.</translation>
    </message>
    <message>
        <source>Shipment {shipment} was made with this address: cancel it first.</source>
        <translation>Vận đơn {shipment} đã được tạo với địa chỉ này: hãy hủy vận đơn trước.</translation>
    </message>
    <message>
        <source>Shopee item {item} could not be read: {reason}</source>
        <translation>Không đọc được sản phẩm Shopee {item}: {reason}</translation>
    </message>
    <message>
        <source>Shopee order {order} could not be read: {reason}</source>
        <translation>Không đọc được đơn Shopee {order}: {reason}</translation>
    </message>
    <message>
        <source>Silver</source>
        <translation>Bạc</translation>
    </message>
    <message>
        <source>Stopped: {saved} orders were saved before the stop ({new} new, {updated} updated); the next sync continues from there.</source>
        <translation>Đã dừng: đã lưu {saved} đơn trước khi dừng ({new} mới, {updated} cập nhật); lần đồng bộ sau sẽ tiếp tục từ đó.</translation>
    </message>
    <message>
        <source>Supplier {id} no longer exists.</source>
        <translation>Nhà cung cấp {id} không còn tồn tại.</translation>
    </message>
    <message>
        <source>Supplier {name} ({code}) is archived: restore it on the Suppliers page first.</source>
        <translation>Nhà cung cấp {name} ({code}) đã được lưu trữ: hãy khôi phục ở trang Nhà cung cấp trước.</translation>
    </message>
    <message>
        <source>Table {table} refers to itself but has no id column.</source>
        <translation>Bảng {table} tham chiếu đến chính nó nhưng không có cột id.</translation>
    </message>
    <message>
        <source>Table {table}: {there} rows in this database but {here} in the new one after copying; nothing was written.</source>
        <translation>Bảng {table}: {there} dòng trong cơ sở dữ liệu này nhưng {here} dòng trong cơ sở dữ liệu mới sau khi sao chép; chưa ghi gì.</translation>
    </message>
    <message>
        <source>That is the backups folder itself: choose a folder on a USB stick, another drive, or a synced Google Drive/OneDrive folder.</source>
        <translation>Đó chính là thư mục sao lưu: hãy chọn một thư mục trên USB, ổ đĩa khác, hoặc thư mục Google Drive/OneDrive có đồng bộ.</translation>
    </message>
    <message>
        <source>The GHN token works but shop {shop} is not one of its shops: check the ShopId on the GHN account page.</source>
        <translation>Token GHN dùng được nhưng cửa hàng {shop} không thuộc token này: hãy kiểm tra ShopId trên trang tài khoản GHN.</translation>
    </message>
    <message>
        <source>The SKU is empty.</source>
        <translation>SKU đang để trống.</translation>
    </message>
    <message>
        <source>The address has no authorisation code (code=…). Copy the whole address from the browser&apos;s address bar after approving the shop.</source>
        <translation>Địa chỉ không có mã ủy quyền (code=…). Hãy sao chép toàn bộ địa chỉ trên thanh địa chỉ của trình duyệt sau khi ủy quyền gian hàng.</translation>
    </message>
    <message>
        <source>The address has no province.</source>
        <translation>Địa chỉ chưa có tỉnh/thành.</translation>
    </message>
    <message>
        <source>The address has no shop id (shop_id=…). Copy the whole address.</source>
        <translation>Địa chỉ không có mã gian hàng (shop_id=…). Hãy sao chép toàn bộ địa chỉ.</translation>
    </message>
    <message>
        <source>The address has no ward.</source>
        <translation>Địa chỉ chưa có phường/xã.</translation>
    </message>
    <message>
        <source>The address has {length} characters: {limit} at most.</source>
        <translation>Địa chỉ có {length} ký tự: tối đa {limit}.</translation>
    </message>
    <message>
        <source>The address has {parameter}= more than once.</source>
        <translation>Địa chỉ có {parameter}= nhiều hơn một lần.</translation>
    </message>
    <message>
        <source>The amount paid must be 0 to the receipt&apos;s cost ({total}).</source>
        <translation>Số tiền trả phải từ 0 đến tổng tiền hàng của phiếu ({total}).</translation>
    </message>
    <message>
        <source>The amount paid must be 1 to {max}.</source>
        <translation>Số tiền trả phải từ 1 đến {max}.</translation>
    </message>
    <message>
        <source>The amount to add or take off must be at most {most}.</source>
        <translation>Số tiền cộng thêm hoặc trừ đi tối đa là {most}.</translation>
    </message>
    <message>
        <source>The authorisation code in the address is malformed.</source>
        <translation>Mã ủy quyền trong địa chỉ sai định dạng.</translation>
    </message>
    <message>
        <source>The backup was stopped because the app is closing; no backup was kept.</source>
        <translation>Đã dừng sao lưu vì ứng dụng đang đóng; không có bản sao lưu nào được lưu.</translation>
    </message>
    <message>
        <source>The birthday {day} is after today.</source>
        <translation>Ngày sinh {day} là ngày sau hôm nay.</translation>
    </message>
    <message>
        <source>The carrier account {account} was removed.</source>
        <translation>Tài khoản vận chuyển {account} đã bị xóa.</translation>
    </message>
    <message>
        <source>The carrier did not give its label: {error}</source>
        <translation>Hãng vận chuyển không trả nhãn vận đơn: {error}</translation>
    </message>
    <message>
        <source>The carrier gives this label as a web page, not a PDF: print it from the order (Print label).</source>
        <translation>Hãng vận chuyển trả nhãn này dưới dạng trang web, không phải PDF: hãy in từ đơn hàng (In nhãn vận đơn).</translation>
    </message>
    <message>
        <source>The carrier&apos;s label is not a PDF the app can read: print it from the order (Print label).</source>
        <translation>Nhãn của hãng vận chuyển không phải tệp PDF mà ứng dụng đọc được: hãy in từ đơn hàng (In nhãn vận đơn).</translation>
    </message>
    <message>
        <source>The cash received cannot be more than {max}.</source>
        <translation>Tiền khách đưa không được lớn hơn {max}.</translation>
    </message>
    <message>
        <source>The confirmation of {order} is being sent to {channel}: once it arrives, {channel} no longer lets the seller cancel it. Wait for the result (Sync panel) before cancelling.</source>
        <translation>Xác nhận đơn {order} đang được gửi lên {channel}: khi {channel} nhận được, người bán sẽ không hủy được đơn nữa. Hãy chờ kết quả (bảng Đồng bộ) rồi mới hủy.</translation>
    </message>
    <message>
        <source>The count of {skus} cannot be more than {max}.</source>
        <translation>Số đếm của {skus} không được lớn hơn {max}.</translation>
    </message>
    <message>
        <source>The credentials of {account} are unreadable: add it again.</source>
        <translation>Không đọc được thông tin đăng nhập của {account}: hãy thêm lại tài khoản.</translation>
    </message>
    <message>
        <source>The data dir already holds {count} orders: use a fresh --data-dir for demo data.</source>
        <translation>Thư mục dữ liệu đã có {count} đơn hàng: hãy dùng một --data-dir mới cho dữ liệu mẫu.</translation>
    </message>
    <message>
        <source>The data was copied, but the key could not be written to {path}: {error}</source>
        <translation>Đã sao chép dữ liệu, nhưng không ghi được khóa vào {path}: {error}</translation>
    </message>
    <message>
        <source>The database at {database} already holds Prime Distribution data (table {table} has rows): give an empty database; nothing was copied.</source>
        <translation>Cơ sở dữ liệu {database} đã có dữ liệu Prime Distribution (bảng {table} có dữ liệu): hãy dùng một cơ sở dữ liệu trống; chưa sao chép gì.</translation>
    </message>
    <message>
        <source>The database at {database} already holds tables ({tables}): give an empty database.</source>
        <translation>Cơ sở dữ liệu {database} đã có bảng ({tables}): hãy dùng một cơ sở dữ liệu trống.</translation>
    </message>
    <message>
        <source>The database at {database} cannot be opened: {error}</source>
        <translation>Không mở được cơ sở dữ liệu {database}: {error}</translation>
    </message>
    <message>
        <source>The database at {database} is at schema revision {revision}, not {head}: give an empty database.</source>
        <translation>Cơ sở dữ liệu {database} ở phiên bản cấu trúc {revision}, không phải {head}: hãy dùng một cơ sở dữ liệu trống.</translation>
    </message>
    <message>
        <source>The database is at revision empty, the app needs {head}: run `primedist migrate`.</source>
        <translation>Cơ sở dữ liệu còn trống, ứng dụng cần phiên bản cấu trúc {head}: hãy chạy `primedist migrate`.</translation>
    </message>
    <message>
        <source>The database is at revision {revision}, the app needs {head}: run `primedist migrate`.</source>
        <translation>Cơ sở dữ liệu ở phiên bản cấu trúc {revision}, ứng dụng cần {head}: hãy chạy `primedist migrate`.</translation>
    </message>
    <message>
        <source>The database was busy with another change: nothing was imported; run the import again.</source>
        <translation>Cơ sở dữ liệu đang bận với một thay đổi khác: chưa nhập gì; hãy nhập lại tệp.</translation>
    </message>
    <message>
        <source>The database was not upgraded: the backup made before an upgrade (with pg_dump) failed. Fix that and start again, or start the new version first on a PC where pg_dump works, or upgrade without a backup with `primedist migrate --without-backup`. The backup&apos;s error: {error}</source>
        <translation>Chưa nâng cấp cơ sở dữ liệu: không tạo được bản sao lưu (bằng pg_dump) trước khi nâng cấp. Hãy khắc phục rồi mở lại, hoặc mở phiên bản mới trước trên một máy chạy được pg_dump, hoặc nâng cấp không sao lưu bằng `primedist migrate --without-backup`. Lỗi sao lưu: {error}</translation>
    </message>
    <message>
        <source>The database was not upgraded: the backup made before an upgrade failed. Fix that and start again, or upgrade without a backup with `primedist migrate --without-backup`. The backup&apos;s error: {error}</source>
        <translation>Chưa nâng cấp cơ sở dữ liệu: không tạo được bản sao lưu trước khi nâng cấp. Hãy khắc phục rồi mở lại, hoặc nâng cấp không sao lưu bằng `primedist migrate --without-backup`. Lỗi sao lưu: {error}</translation>
    </message>
    <message>
        <source>The disk is full: nothing was saved. Free some space, then try again.</source>
        <translation>Ổ đĩa đã đầy: chưa có gì được lưu. Hãy giải phóng bớt dung lượng rồi thử lại.</translation>
    </message>
    <message>
        <source>The email has {length} characters: {limit} at most.</source>
        <translation>Email có {length} ký tự: tối đa {limit}.</translation>
    </message>
    <message>
        <source>The end must come after the start.</source>
        <translation>Giờ kết thúc phải sau giờ bắt đầu.</translation>
    </message>
    <message>
        <source>The end of the range must be after its start.</source>
        <translation>Thời điểm kết thúc phải sau thời điểm bắt đầu.</translation>
    </message>
    <message>
        <source>The expected day {day} has already passed: choose today or a later day.</source>
        <translation>Ngày hẹn giao {day} đã qua: hãy chọn hôm nay hoặc một ngày sau.</translation>
    </message>
    <message>
        <source>The expected day {day} is more than a year away.</source>
        <translation>Ngày hẹn giao {day} cách hôm nay hơn một năm.</translation>
    </message>
    <message>
        <source>The folder is not there (a USB stick not plugged in, or a drive not connected).</source>
        <translation>Không thấy thư mục (USB chưa cắm, hoặc ổ đĩa chưa kết nối).</translation>
    </message>
    <message>
        <source>The folder {folder} cannot be written to: choose another.</source>
        <translation>Không ghi được vào thư mục {folder}: hãy chọn thư mục khác.</translation>
    </message>
    <message>
        <source>The logo cannot be copied into the data folder ({folder}): {reason}</source>
        <translation>Không chép được logo vào thư mục dữ liệu ({folder}): {reason}</translation>
    </message>
    <message>
        <source>The logo {path} cannot be used: {why}</source>
        <translation>Không dùng được logo {path}: {why}</translation>
    </message>
    <message>
        <source>The marketplace refused the authorisation: {detail}</source>
        <translation>Sàn từ chối ủy quyền: {detail}</translation>
    </message>
    <message>
        <source>The migration would leave table {table} pointing at a missing row of {parent}: nothing was changed.</source>
        <translation>Nâng cấp sẽ làm bảng {table} trỏ tới một dòng không tồn tại của {parent}: chưa thay đổi gì.</translation>
    </message>
    <message>
        <source>The money given back must be 0 to the goods&apos; cost ({total}).</source>
        <translation>Tiền hoàn lại phải từ 0 đến giá trị hàng ({total}).</translation>
    </message>
    <message>
        <source>The new database is the one the app uses now: give another one.</source>
        <translation>Cơ sở dữ liệu mới chính là cơ sở dữ liệu ứng dụng đang dùng: hãy chọn cơ sở dữ liệu khác.</translation>
    </message>
    <message>
        <source>The new price must be 0 to {most}.</source>
        <translation>Giá mới phải từ 0 đến {most}.</translation>
    </message>
    <message>
        <source>The note has {length} characters: {limit} at most.</source>
        <translation>Ghi chú dài {length} ký tự: tối đa {limit}.</translation>
    </message>
    <message>
        <source>The order no longer exists.</source>
        <translation>Đơn hàng không còn tồn tại.</translation>
    </message>
    <message>
        <source>The password cannot be only spaces.</source>
        <translation>Mật khẩu không được chỉ gồm dấu cách.</translation>
    </message>
    <message>
        <source>The percentage must be -100 to {most}, and not 0.</source>
        <translation>Tỷ lệ phải từ -100 đến {most} và khác 0.</translation>
    </message>
    <message>
        <source>The percentage off must be above 0 and below 100.</source>
        <translation>Tỷ lệ giảm phải lớn hơn 0 và nhỏ hơn 100.</translation>
    </message>
    <message>
        <source>The price must be between 1 and {limit} đ.</source>
        <translation>Giá phải từ 1 đến {limit} ₫.</translation>
    </message>
    <message>
        <source>The quantity cannot be more than {max}.</source>
        <translation>Số lượng không được lớn hơn {max}.</translation>
    </message>
    <message>
        <source>The range cannot end in the future.</source>
        <translation>Khoảng thời gian không được kết thúc ở tương lai.</translation>
    </message>
    <message>
        <source>The reason has {length} characters: {limit} at most.</source>
        <translation>Lý do dài {length} ký tự: tối đa {limit}.</translation>
    </message>
    <message>
        <source>The receipt printer {printer} does not answer. Check that it is on and connected, then try again.</source>
        <translation>Máy in hóa đơn {printer} không phản hồi. Hãy kiểm tra máy đã bật và đã kết nối, rồi thử lại.</translation>
    </message>
    <message>
        <source>The receipt printer {printer} stopped answering while printing ({error}). Check the paper and the cable, then try again.</source>
        <translation>Máy in hóa đơn {printer} ngừng phản hồi khi đang in ({error}). Hãy kiểm tra giấy và dây cáp, rồi thử lại.</translation>
    </message>
    <message>
        <source>The restore from {name} failed: {exc}. The database was not changed.</source>
        <translation>Khôi phục từ {name} không thành công: {exc}. Dữ liệu hiện tại không bị thay đổi.</translation>
    </message>
    <message>
        <source>The shipping fee cannot be more than {max}.</source>
        <translation>Phí vận chuyển không được lớn hơn {max}.</translation>
    </message>
    <message>
        <source>The shop id {shop_id} is not a positive whole number.</source>
        <translation>Mã gian hàng {shop_id} không phải số nguyên dương.</translation>
    </message>
    <message>
        <source>The shop is disconnected: authorise it again in Settings → Sales channels to sync its orders.</source>
        <translation>Gian hàng đã ngắt kết nối: hãy ủy quyền lại trong Cài đặt → Kênh bán hàng để đồng bộ đơn hàng.</translation>
    </message>
    <message>
        <source>The shop is disconnected: this waits until the shop is authorised again in Settings → Sales channels.</source>
        <translation>Cửa hàng đã ngắt kết nối: thao tác này sẽ chờ đến khi cửa hàng được cấp quyền lại trong Cài đặt → Kênh bán hàng.</translation>
    </message>
    <message>
        <source>The shop is not authorised on {platform} yet: authorise it first.</source>
        <translation>Gian hàng chưa được ủy quyền trên {platform}: hãy ủy quyền trước.</translation>
    </message>
    <message>
        <source>The shop is not linked yet: authorise it in Settings → Sales channels to sync its orders.</source>
        <translation>Gian hàng chưa được liên kết: hãy ủy quyền trong Cài đặt → Kênh bán hàng để đồng bộ đơn hàng.</translation>
    </message>
    <message>
        <source>The shop was disconnected during the sync: it stopped; {saved} orders saved before stay ({new} new, {updated} updated).</source>
        <translation>Gian hàng bị ngắt kết nối trong lúc đồng bộ nên đã dừng; {saved} đơn đã lưu trước đó vẫn được giữ ({new} đơn mới, {updated} đơn cập nhật).</translation>
    </message>
    <message>
        <source>The shop&apos;s data file cannot be written (it or its folder is read-only): nothing was saved.</source>
        <translation>Không ghi được vào tệp dữ liệu của cửa hàng (tệp hoặc thư mục chứa nó chỉ cho phép đọc): chưa có gì được lưu.</translation>
    </message>
    <message>
        <source>The shop&apos;s data is damaged ({error}), so no backup was taken and the older backups were all kept: restore the newest good backup (Settings → Backup &amp; restore, or `primedist restore FILE`).</source>
        <translation>Dữ liệu của cửa hàng bị hỏng ({error}) nên không tạo bản sao lưu và giữ nguyên mọi bản sao lưu cũ: hãy khôi phục bản sao lưu tốt mới nhất (Cài đặt → Sao lưu &amp; khôi phục, hoặc `primedist restore FILE`).</translation>
    </message>
    <message>
        <source>The shop&apos;s data is damaged and cannot be read. Restore a backup: in the app, Settings → Backup &amp; restore; or run `primedist restore FILE`.</source>
        <translation>Dữ liệu của cửa hàng bị hỏng, không đọc được. Hãy khôi phục từ một bản sao lưu: trong ứng dụng, vào Cài đặt → Sao lưu &amp; khôi phục; hoặc chạy `primedist restore FILE`.</translation>
    </message>
    <message>
        <source>The staff note of order {order} was changed on another screen or PC since you opened it (at {time}): nothing was saved. Your text is kept beside the note as it is now: merge them and save again.</source>
        <translation>Ghi chú nội bộ của đơn {order} đã được sửa ở màn hình hoặc máy khác sau khi bạn mở (lúc {time}): chưa lưu gì. Nội dung bạn gõ vẫn được giữ, kèm ghi chú hiện tại: hãy gộp lại rồi lưu lần nữa.</translation>
    </message>
    <message>
        <source>The staff note of order {order} was changed on another screen or PC since you opened it (by {user} at {time}): nothing was saved. Your text is kept beside the note as it is now: merge them and save again.</source>
        <translation>Ghi chú nội bộ của đơn {order} đã được sửa ở màn hình hoặc máy khác sau khi bạn mở (bởi {user} lúc {time}): chưa lưu gì. Nội dung bạn gõ vẫn được giữ, kèm ghi chú hiện tại: hãy gộp lại rồi lưu lần nữa.</translation>
    </message>
    <message>
        <source>The staff note of order {order} was changed on another screen or PC since you opened it: nothing was saved. Your text is kept beside the note as it is now: merge them and save again.</source>
        <translation>Ghi chú nội bộ của đơn {order} đã được sửa ở màn hình hoặc máy khác sau khi bạn mở: chưa lưu gì. Nội dung bạn gõ vẫn được giữ, kèm ghi chú hiện tại: hãy gộp lại rồi lưu lần nữa.</translation>
    </message>
    <message>
        <source>The start day {start} is after the end day {end}.</source>
        <translation>Ngày bắt đầu {start} sau ngày kết thúc {end}.</translation>
    </message>
    <message>
        <source>The start must be from now to a year ahead.</source>
        <translation>Giờ bắt đầu phải từ bây giờ đến tối đa một năm tới.</translation>
    </message>
    <message>
        <source>The stored {secret} of {shop} cannot be decrypted (the encryption key changed): enter the app&apos;s secret again and re-authorise the shop.</source>
        <translation>Không giải mã được {secret} đã lưu của {shop} (khóa mã hóa đã thay đổi): hãy nhập lại khóa bí mật của ứng dụng và ủy quyền lại gian hàng.</translation>
    </message>
    <message>
        <source>The supplier&apos;s name has {length} characters: {limit} at most.</source>
        <translation>Tên nhà cung cấp dài {length} ký tự: tối đa {limit}.</translation>
    </message>
    <message>
        <source>The sync interval must be {least} to {most} minutes (got {minutes}).</source>
        <translation>Chu kỳ đồng bộ phải từ {least} đến {most} phút (đang là {minutes}).</translation>
    </message>
    <message>
        <source>The sync stopped because another task was writing to the shop&apos;s data: {saved} orders were saved ({new} new, {updated} updated); the next sync picks up from there.</source>
        <translation>Đồng bộ đã dừng vì một tác vụ khác đang ghi dữ liệu của cửa hàng: đã lưu {saved} đơn hàng ({new} mới, {updated} cập nhật); lần đồng bộ sau sẽ tiếp tục từ đó.</translation>
    </message>
    <message>
        <source>The tax code has {length} characters: {limit} at most.</source>
        <translation>Mã số thuế có {length} ký tự: tối đa {limit}.</translation>
    </message>
    <message>
        <source>The template is empty. Write it, or press “Reset to default” to go back to the shipped template.</source>
        <translation>Mẫu in đang trống. Hãy soạn mẫu, hoặc bấm “Khôi phục mặc định” để dùng lại mẫu có sẵn.</translation>
    </message>
    <message>
        <source>The thank-you message is too long ({length} characters; at most {limit}).</source>
        <translation>Lời cảm ơn quá dài ({length} ký tự; tối đa {limit}).</translation>
    </message>
    <message>
        <source>The two databases&apos; tables differ (only in this one: {extra}; only in the new one: {missing}): nothing was copied.</source>
        <translation>Các bảng của hai cơ sở dữ liệu khác nhau (chỉ có ở cơ sở dữ liệu này: {extra}; chỉ có ở cơ sở dữ liệu mới: {missing}): chưa sao chép gì.</translation>
    </message>
    <message>
        <source>The unit cost cannot be more than {max}.</source>
        <translation>Giá vốn không được lớn hơn {max}.</translation>
    </message>
    <message>
        <source>The variant has neither a barcode nor a SKU.</source>
        <translation>Phân loại này không có mã vạch cũng không có SKU.</translation>
    </message>
    <message>
        <source>The weight must be 1 to {most} g.</source>
        <translation>Khối lượng phải từ 1 đến {most} g.</translation>
    </message>
    <message>
        <source>The weight must be 1-{most} g (got {weight}).</source>
        <translation>Khối lượng phải từ 1 đến {most} g (đang là {weight}).</translation>
    </message>
    <message>
        <source>The {account} account has no credentials: add it again.</source>
        <translation>Tài khoản {account} không có thông tin đăng nhập: hãy thêm lại.</translation>
    </message>
    <message>
        <source>The {rank} threshold ({value}) must be above the {lower_rank} threshold ({lower_value}).</source>
        <translation>Ngưỡng {rank} ({value}) phải cao hơn ngưỡng {lower_rank} ({lower_value}).</translation>
    </message>
    <message>
        <source>The {rank} threshold must be between 0 and {top}.</source>
        <translation>Ngưỡng {rank} phải từ 0 đến {top}.</translation>
    </message>
    <message>
        <source>There are no labels to print: give at least one product a number of copies.</source>
        <translation>Không có tem nào để in: hãy nhập số tem cho ít nhất một sản phẩm.</translation>
    </message>
    <message>
        <source>There is a supplier named {name} already ({code}).</source>
        <translation>Đã có nhà cung cấp tên {name} ({code}).</translation>
    </message>
    <message>
        <source>There is already a shop called {name} ({channel}): choose another name.</source>
        <translation>Đã có gian hàng tên {name} ({channel}): hãy chọn tên khác.</translation>
    </message>
    <message>
        <source>There is no audit row {id}.</source>
        <translation>Không có dòng nhật ký {id}.</translation>
    </message>
    <message>
        <source>There is no database at {database}: nothing to copy.</source>
        <translation>Không có cơ sở dữ liệu tại {database}: không có gì để sao chép.</translation>
    </message>
    <message>
        <source>There is no goods receipt {code}.</source>
        <translation>Không có phiếu nhập {code}.</translation>
    </message>
    <message>
        <source>There is no label paper named {name} (papers: {names}).</source>
        <translation>Không có khổ giấy tem tên {name} (các khổ: {names}).</translation>
    </message>
    <message>
        <source>There is no label {start} on a sheet of {paper}: start at a label from 1 to {n}.</source>
        <translation>Tờ tem {paper} không có tem số {start}: hãy bắt đầu từ tem số 1 đến {n}.</translation>
    </message>
    <message>
        <source>There is no order {number}.</source>
        <translation>Không có đơn {number}.</translation>
    </message>
    <message>
        <source>There is no payment {code}.</source>
        <translation>Không có phiếu thu {code}.</translation>
    </message>
    <message>
        <source>There is no product {ids}.</source>
        <translation>Không có sản phẩm {ids}.</translation>
    </message>
    <message>
        <source>There is no purchase order {code}.</source>
        <translation>Không có đơn đặt hàng nhập {code}.</translation>
    </message>
    <message>
        <source>There is no return to a supplier {code}.</source>
        <translation>Không có phiếu trả hàng nhà cung cấp {code}.</translation>
    </message>
    <message>
        <source>There is no scheduled price change {id}.</source>
        <translation>Không có lịch đổi giá {id}.</translation>
    </message>
    <message>
        <source>There is no shop {id}.</source>
        <translation>Không có gian hàng {id}.</translation>
    </message>
    <message>
        <source>There is no staff member {id}.</source>
        <translation>Không có nhân viên {id}.</translation>
    </message>
    <message>
        <source>There is no supplier {name}.</source>
        <translation>Không có nhà cung cấp {name}.</translation>
    </message>
    <message>
        <source>There is no template named {name} (templates: {templates}).</source>
        <translation>Không có mẫu in tên {name} (các mẫu in: {templates}).</translation>
    </message>
    <message>
        <source>There is nothing to print.</source>
        <translation>Không có gì để in.</translation>
    </message>
    <message>
        <source>Thermal (ESC/POS) printers print on rolls: choose Roll 80 mm or Roll 58 mm in Paper.</source>
        <translation>Máy in nhiệt (ESC/POS) chỉ in trên giấy cuộn: hãy chọn Giấy cuộn 80 mm hoặc Giấy cuộn 58 mm ở mục Khổ giấy.</translation>
    </message>
    <message>
        <source>These customers no longer exist or were already merged: {customers}</source>
        <translation>Các khách hàng này không còn hoặc đã được gộp: {customers}</translation>
    </message>
    <message>
        <source>This address is not in use.</source>
        <translation>Địa chỉ này không được sử dụng.</translation>
    </message>
    <message>
        <source>This authorisation came from a main (merchant) account; sign in with the shop&apos;s own account and authorise the shop itself.</source>
        <translation>Ủy quyền này đến từ tài khoản chính (merchant); hãy đăng nhập bằng tài khoản riêng của gian hàng và ủy quyền cho chính gian hàng đó.</translation>
    </message>
    <message>
        <source>This authorisation request has already ended.</source>
        <translation>Yêu cầu ủy quyền này đã kết thúc.</translation>
    </message>
    <message>
        <source>This computer&apos;s clock is probably wrong by more than 5 minutes: it is earlier than the last sync of this shop ({synced_until}). Set the right date and time, then sync again.</source>
        <translation>Đồng hồ của máy tính này có lẽ đang sai hơn 5 phút: giờ trên máy đang sớm hơn lần đồng bộ gần nhất của cửa hàng này ({synced_until}). Hãy chỉnh lại ngày giờ cho đúng rồi đồng bộ lại.</translation>
    </message>
    <message>
        <source>This customer was changed on another computer (or window) since you opened it: close and open it again.</source>
        <translation>Khách hàng này đã được sửa trên máy khác (hoặc cửa sổ khác) từ lúc bạn mở: hãy đóng lại rồi mở lại.</translation>
    </message>
    <message>
        <source>This data was made by a newer version of Prime Distribution: update the app.</source>
        <translation>Dữ liệu này do phiên bản Prime Distribution mới hơn tạo ra: hãy cập nhật ứng dụng.</translation>
    </message>
    <message>
        <source>This database is at schema revision empty, the app needs {head}: open the app (or run `primedist migrate`) first.</source>
        <translation>Cơ sở dữ liệu này còn trống, ứng dụng cần phiên bản cấu trúc {head}: hãy mở ứng dụng (hoặc chạy `primedist migrate`) trước.</translation>
    </message>
    <message>
        <source>This database is at schema revision {revision}, the app needs {head}: open the app (or run `primedist migrate`) first.</source>
        <translation>Cơ sở dữ liệu này ở phiên bản cấu trúc {revision}, ứng dụng cần {head}: hãy mở ứng dụng (hoặc chạy `primedist migrate`) trước.</translation>
    </message>
    <message>
        <source>This password is one of the first anyone tries: choose one that is harder to guess.</source>
        <translation>Mật khẩu này là một trong những mật khẩu ai cũng thử đầu tiên: hãy chọn mật khẩu khó đoán hơn.</translation>
    </message>
    <message>
        <source>TikTok Shop order {order} could not be read: {reason}</source>
        <translation>Không đọc được đơn TikTok Shop {order}: {reason}</translation>
    </message>
    <message>
        <source>Tiki order {order} could not be read: {reason}</source>
        <translation>Không đọc được đơn Tiki {order}: {reason}</translation>
    </message>
    <message>
        <source>Till of {day} counted: {counted} đ, difference {difference} đ</source>
        <translation>Kiểm két ngày {day}: đếm được {counted} ₫, chênh lệch {difference} ₫</translation>
    </message>
    <message>
        <source>Too many wrong passwords for {email}: sign-in is paused. Try again in {seconds} seconds.</source>
        <translation>Nhập sai mật khẩu quá nhiều lần cho {email}: tạm khóa đăng nhập. Vui lòng thử lại sau {seconds} giây.</translation>
    </message>
    <message>
        <source>Type an amount from 0 to {limit} đ.</source>
        <translation>Hãy nhập số tiền từ 0 đến {limit} ₫.</translation>
    </message>
    <message>
        <source>Type or scan the order number.</source>
        <translation>Hãy gõ hoặc quét mã đơn.</translation>
    </message>
    <message>
        <source>Type the recipient&apos;s province or city.</source>
        <translation>Nhập tỉnh/thành phố của người nhận.</translation>
    </message>
    <message>
        <source>Type the recipient&apos;s ward.</source>
        <translation>Nhập phường/xã của người nhận.</translation>
    </message>
    <message>
        <source>Upgrading the database failed ({error}).</source>
        <translation>Nâng cấp cơ sở dữ liệu thất bại ({error}).</translation>
    </message>
    <message>
        <source>Upgrading the database failed ({error}); a backup taken before is at {path}.</source>
        <translation>Nâng cấp cơ sở dữ liệu thất bại ({error}); bản sao lưu tạo trước đó nằm ở {path}.</translation>
    </message>
    <message>
        <source>Voucher {code} is only for customers in group {groups}.</source>
        <translation>Mã giảm giá {code} chỉ dành cho khách thuộc nhóm {groups}.</translation>
    </message>
    <message>
        <source>Voucher {code} is only for customers tagged {tags} or in group {groups}.</source>
        <translation>Mã giảm giá {code} chỉ dành cho khách có thẻ {tags} hoặc thuộc nhóm {groups}.</translation>
    </message>
    <message>
        <source>Voucher {code} is only for customers tagged {tags}.</source>
        <translation>Mã giảm giá {code} chỉ dành cho khách có thẻ {tags}.</translation>
    </message>
    <message>
        <source>Voucher {code} was changed after this sale: on other goods or another shipping fee it gives what it gives today (at the sale it gave {discount} đ).</source>
        <translation>Mã giảm giá {code} đã được sửa sau khi bán đơn này: khi đổi hàng hoặc phí giao hàng, mã được tính theo mức giảm hiện tại (lúc bán mã đã giảm {discount} đ).</translation>
    </message>
    <message>
        <source>Voucher {code} was used on {used} orders, which show its code: the code cannot change. End it and make a new voucher with the code {new}.</source>
        <translation>Mã giảm giá {code} đã dùng cho {used} đơn, các đơn này đều ghi mã đó: không thể đổi mã. Hãy kết thúc mã này rồi tạo mã giảm giá mới {new}.</translation>
    </message>
    <message>
        <source>Voucher {code} was valid to {last} and has ended: change its end date in the editor to switch it on again.</source>
        <translation>Mã giảm giá {code} có hiệu lực đến hết ngày {last} và đã hết hạn: hãy sửa ngày kết thúc của mã để bật lại.</translation>
    </message>
    <message>
        <source>Waiting for pickup</source>
        <translation>Chờ lấy hàng</translation>
    </message>
    <message>
        <source>Waiting to redeliver</source>
        <translation>Chờ xác nhận giao lại</translation>
    </message>
    <message>
        <source>Ward {ward} is in more than one district of {province}: pick it on the order.</source>
        <translation>Phường/xã {ward} có ở nhiều quận/huyện của {province}: hãy chọn trên đơn hàng.</translation>
    </message>
    <message>
        <source>Ward {ward} is not in GHN&apos;s list for {province}.</source>
        <translation>Phường/xã {ward} không có trong danh sách của GHN cho {province}.</translation>
    </message>
    <message>
        <source>With the recipient</source>
        <translation>Đang tương tác với người nhận</translation>
    </message>
    <message>
        <source>With the sender</source>
        <translation>Đang tương tác với người gửi</translation>
    </message>
    <message>
        <source>Your account was disabled: ask the shop owner.</source>
        <translation>Tài khoản của bạn đã bị khóa: hãy hỏi chủ cửa hàng.</translation>
    </message>
    <message>
        <source>a SKU of it is on another item of the shop too</source>
        <translation>một SKU của nó cũng có ở sản phẩm khác của gian hàng</translation>
    </message>
    <message>
        <source>a SKU or option is too long for the app</source>
        <translation>một SKU hoặc phân loại quá dài đối với ứng dụng</translation>
    </message>
    <message>
        <source>a model has no SKU on the marketplace: give every model a SKU first</source>
        <translation>một phân loại chưa có SKU trên sàn: hãy đặt SKU cho mọi phân loại trước</translation>
    </message>
    <message>
        <source>a price is out of range</source>
        <translation>một giá nằm ngoài khoảng cho phép</translation>
    </message>
    <message>
        <source>a product with this name is in the app with other SKUs: give its variants the SKUs they have on the marketplace</source>
        <translation>ứng dụng đã có sản phẩm cùng tên với SKU khác: hãy đặt cho các phân loại của nó SKU như trên sàn</translation>
    </message>
    <message>
        <source>above {most}</source>
        <translation>vượt quá {most}</translation>
    </message>
    <message>
        <source>an order on account needs its customer (customer_name, customer_phone or buyer_id): who owes it?</source>
        <translation>đơn ghi nợ cần có khách hàng (customer_name, customer_phone hoặc buyer_id): ai là người nợ?</translation>
    </message>
    <message>
        <source>another product is linked to this item already</source>
        <translation>một sản phẩm khác đã được liên kết với sản phẩm trên sàn này</translation>
    </message>
    <message>
        <source>app key</source>
        <translation>App Key</translation>
    </message>
    <message>
        <source>app key/secret</source>
        <translation>App Key và App Secret</translation>
    </message>
    <message>
        <source>barcode {barcode} of “{name}” is SKU {sku} of “{product}”: a scan of that SKU would find “{name}”; give another barcode</source>
        <translation>mã vạch {barcode} của “{name}” trùng mã SKU {sku} của “{product}”: quét SKU đó sẽ ra “{name}”; hãy dùng mã vạch khác</translation>
    </message>
    <message>
        <source>barcode {code} of “{name}” is SKU {sku} of “{product}”: a scan of that SKU would find “{name}”.</source>
        <translation>mã vạch {code} của “{name}” trùng mã SKU {sku} của “{product}”: quét SKU đó sẽ ra “{name}”.</translation>
    </message>
    <message>
        <source>below 0</source>
        <translation>nhỏ hơn 0</translation>
    </message>
    <message>
        <source>client id</source>
        <translation>Client ID</translation>
    </message>
    <message>
        <source>client id/secret</source>
        <translation>Client ID và Client Secret</translation>
    </message>
    <message>
        <source>cost</source>
        <translation>giá vốn</translation>
    </message>
    <message>
        <source>creating a listing on the marketplace from here is not supported yet: list the product in Seller Center; its id is learnt from its first synced order or from Fetch listings in Sales channels, then Retry</source>
        <translation>ứng dụng chưa hỗ trợ tạo sản phẩm trên sàn: hãy đăng bán sản phẩm trong Kênh Người Bán; mã của nó được lấy từ đơn hàng đồng bộ đầu tiên hoặc khi Lấy sản phẩm đang bán trong Kênh bán hàng, rồi Thử lại</translation>
    </message>
    <message>
        <source>creating a listing on the marketplace from here is not supported yet: list the product in Seller Center; its id is learnt from its first synced order, then Retry</source>
        <translation>ứng dụng chưa hỗ trợ tạo sản phẩm trên sàn: hãy đăng bán sản phẩm trong Kênh Người Bán; mã của nó được lấy từ đơn hàng đồng bộ đầu tiên, rồi Thử lại</translation>
    </message>
    <message>
        <source>deactivated {sku} (sold or listed before), keeping its stock {stock}</source>
        <translation>đã ngừng bán {sku} (đã bán hoặc đã đăng bán), giữ tồn kho {stock}</translation>
    </message>
    <message>
        <source>deleted {sku} with its stock {stock}</source>
        <translation>đã xóa {sku} cùng tồn kho {stock}</translation>
    </message>
    <message>
        <source>discount price</source>
        <translation>giá khuyến mãi</translation>
    </message>
    <message>
        <source>down {amount}</source>
        <translation>giảm {amount}</translation>
    </message>
    <message>
        <source>down {percent}%</source>
        <translation>giảm {percent}%</translation>
    </message>
    <message>
        <source>give its {option}</source>
        <translation>hãy nhập {option}</translation>
    </message>
    <message>
        <source>given to {skus} too: SKU group {group} has one cost</source>
        <translation>cũng áp dụng cho {skus}: nhóm SKU {group} dùng chung một giá vốn</translation>
    </message>
    <message>
        <source>is empty: which order is it?</source>
        <translation>trống: đơn hàng nào?</translation>
    </message>
    <message>
        <source>it has more than two variations</source>
        <translation>nó có nhiều hơn hai nhóm phân loại</translation>
    </message>
    <message>
        <source>it has no SKU on the marketplace: give it the SKU it has in the app</source>
        <translation>nó chưa có SKU trên sàn: hãy đặt SKU giống trong ứng dụng</translation>
    </message>
    <message>
        <source>it has no name</source>
        <translation>nó không có tên</translation>
    </message>
    <message>
        <source>its SKUs belong to {count} different products in the app</source>
        <translation>các SKU của nó thuộc {count} sản phẩm khác nhau trong ứng dụng</translation>
    </message>
    <message>
        <source>its product is linked to item {other} of this shop already</source>
        <translation>sản phẩm của nó đã được liên kết với sản phẩm {other} của gian hàng này</translation>
    </message>
    <message>
        <source>must be -{max} to {max}.</source>
        <translation>phải từ -{max} đến {max}.</translation>
    </message>
    <message>
        <source>must be {low} to {high} (got {value}).</source>
        <translation>phải từ {low} đến {high} (đang là {value}).</translation>
    </message>
    <message>
        <source>name kept: {name} (the file says {file_name})</source>
        <translation>giữ tên: {name} (tệp ghi {file_name})</translation>
    </message>
    <message>
        <source>no customer group {group}: only the owner or a manager can add groups</source>
        <translation>không có nhóm khách hàng {group}: chỉ chủ cửa hàng hoặc quản lý mới được thêm nhóm</translation>
    </message>
    <message>
        <source>no customer group {group}: only the owner or a manager can add groups (groups: {groups})</source>
        <translation>không có nhóm khách hàng {group}: chỉ chủ cửa hàng hoặc quản lý mới được thêm nhóm (các nhóm hiện có: {groups})</translation>
    </message>
    <message>
        <source>no shop</source>
        <translation>không gian hàng nào</translation>
    </message>
    <message>
        <source>partner id</source>
        <translation>Partner ID</translation>
    </message>
    <message>
        <source>partner id/key</source>
        <translation>Partner ID và Partner Key</translation>
    </message>
    <message>
        <source>pg_dump ({path}) could not be started: {error}</source>
        <translation>Không chạy được pg_dump ({path}): {error}</translation>
    </message>
    <message>
        <source>pg_dump stopped with code {code} without saying why.</source>
        <translation>pg_dump dừng với mã {code} mà không báo lý do.</translation>
    </message>
    <message>
        <source>pg_dump was not found on this PC: install the PostgreSQL client tools or set PRIMEDIST_PG_DUMP to its path.</source>
        <translation>Không tìm thấy pg_dump trên máy này: hãy cài bộ công cụ PostgreSQL hoặc đặt PRIMEDIST_PG_DUMP là đường dẫn tới pg_dump.</translation>
    </message>
    <message>
        <source>pg_dump was not found on {pc}: install the PostgreSQL client tools there or set PRIMEDIST_PG_DUMP to its path.</source>
        <translation>Không tìm thấy pg_dump trên máy {pc}: hãy cài bộ công cụ PostgreSQL trên máy đó hoặc đặt PRIMEDIST_PG_DUMP là đường dẫn tới pg_dump.</translation>
    </message>
    <message>
        <source>pg_dump wrote nothing for {minutes} minutes and was stopped: is the database server still reachable?</source>
        <translation>pg_dump không ghi thêm gì trong {minutes} phút nên đã bị dừng: máy chủ cơ sở dữ liệu còn kết nối được không?</translation>
    </message>
    <message>
        <source>pg_dump {client} is older than the database server ({server}): install the PostgreSQL client tools of version {major} or newer, or set PRIMEDIST_PG_DUMP to such a pg_dump.</source>
        <translation>pg_dump {client} cũ hơn máy chủ cơ sở dữ liệu ({server}): hãy cài bộ công cụ PostgreSQL phiên bản {major} trở lên, hoặc đặt PRIMEDIST_PG_DUMP tới một pg_dump như vậy.</translation>
    </message>
    <message>
        <source>pg_restore ({path}) could not be started: {error}</source>
        <translation>Không chạy được pg_restore ({path}): {error}</translation>
    </message>
    <message>
        <source>pg_restore was not found beside pg_dump on this PC: only the start of {name} was checked.</source>
        <translation>Không tìm thấy pg_restore cạnh pg_dump trên máy này: mới chỉ kiểm tra phần đầu của {name}.</translation>
    </message>
    <message>
        <source>phone {phone} belongs to {code} ({name}): not added</source>
        <translation>số điện thoại {phone} là của {code} ({name}): không thêm</translation>
    </message>
    <message>
        <source>phone {phone} is used by the customer of row {row}: not added</source>
        <translation>số điện thoại {phone} đã dùng cho khách hàng ở dòng {row}: không thêm</translation>
    </message>
    <message>
        <source>removed</source>
        <translation>bỏ đi</translation>
    </message>
    <message>
        <source>restored {file} into a data dir without a database</source>
        <translation>đã khôi phục {file} vào thư mục dữ liệu chưa có cơ sở dữ liệu</translation>
    </message>
    <message>
        <source>restored {file}; the damaged database was set aside as {damaged}</source>
        <translation>đã khôi phục {file}; cơ sở dữ liệu bị hỏng được để riêng thành {damaged}</translation>
    </message>
    <message>
        <source>selling price</source>
        <translation>giá bán</translation>
    </message>
    <message>
        <source>set to {amount}</source>
        <translation>đặt bằng {amount}</translation>
    </message>
    <message>
        <source>several variants need an option (e.g. Size) to tell them apart: give option1_name and option1</source>
        <translation>nhiều phân loại cần một thuộc tính (ví dụ Size) để phân biệt: hãy nhập option1_name và option1</translation>
    </message>
    <message>
        <source>shares the cost of group {group} with {sku}: give both the same cost.</source>
        <translation>dùng chung giá vốn của nhóm {group} với {sku}: hãy nhập cùng một giá vốn cho cả hai.</translation>
    </message>
    <message>
        <source>still listed on {shops}: an import never removes a listing; to unlist the product, untick the shop in its editor</source>
        <translation>vẫn đang đăng bán trên {shops}: nhập file không bao giờ gỡ sản phẩm khỏi gian hàng; muốn gỡ, hãy bỏ chọn gian hàng trong màn hình sửa sản phẩm</translation>
    </message>
    <message>
        <source>the action</source>
        <translation>thao tác</translation>
    </message>
    <message>
        <source>the barcode is variant {n}&apos;s SKU.</source>
        <translation>mã vạch trùng SKU của phân loại {n}.</translation>
    </message>
    <message>
        <source>the cancellation</source>
        <translation>lệnh hủy</translation>
    </message>
    <message>
        <source>the confirmation</source>
        <translation>xác nhận</translation>
    </message>
    <message>
        <source>the cost cannot be more than {max}.</source>
        <translation>giá vốn không được lớn hơn {max}.</translation>
    </message>
    <message>
        <source>the discount price {discount} would be above its price {price}</source>
        <translation>giá khuyến mãi {discount} sẽ cao hơn giá bán {price}</translation>
    </message>
    <message>
        <source>the dump cannot be read back: pg_restore says “{error}”</source>
        <translation>không đọc lại được bản sao lưu: pg_restore báo “{error}”</translation>
    </message>
    <message>
        <source>the dump holds no {tables} table</source>
        <translation>bản sao lưu không có bảng {tables}</translation>
    </message>
    <message>
        <source>the file cannot be found.</source>
        <translation>không tìm thấy tệp.</translation>
    </message>
    <message>
        <source>the file cannot be read ({reason}).</source>
        <translation>không đọc được tệp ({reason}).</translation>
    </message>
    <message>
        <source>the file is empty.</source>
        <translation>tệp trống.</translation>
    </message>
    <message>
        <source>the file written is not a pg_dump backup</source>
        <translation>tệp đã ghi không phải bản sao lưu pg_dump</translation>
    </message>
    <message>
        <source>the image is damaged or cut short.</source>
        <translation>ảnh bị hỏng hoặc không đầy đủ.</translation>
    </message>
    <message>
        <source>the image is {size} MB; the limit is 10 MB.</source>
        <translation>ảnh nặng {size} MB; tối đa 10 MB.</translation>
    </message>
    <message>
        <source>the image is {width} × {height} pixels; too large.</source>
        <translation>ảnh có kích thước {width} × {height} điểm ảnh; quá lớn.</translation>
    </message>
    <message>
        <source>the listing no longer exists</source>
        <translation>sản phẩm đăng bán này không còn nữa</translation>
    </message>
    <message>
        <source>the low-stock level cannot be more than {max}.</source>
        <translation>ngưỡng sắp hết hàng không được lớn hơn {max}.</translation>
    </message>
    <message>
        <source>the new price {price} is below its discount price {discount}: change or remove the discount price first</source>
        <translation>giá mới {price} thấp hơn giá khuyến mãi {discount}: hãy đổi hoặc bỏ giá khuyến mãi trước</translation>
    </message>
    <message>
        <source>the option names ({names}) are not those of SKU {sku} ({other}), which is not in the file: give all the product&apos;s variants, or its option names</source>
        <translation>tên thuộc tính ({names}) khác với của SKU {sku} ({other}), SKU này không có trong tệp: hãy ghi đủ mọi phân loại của sản phẩm, hoặc dùng đúng tên thuộc tính của nó</translation>
    </message>
    <message>
        <source>the options {options} are already those of SKU {sku}</source>
        <translation>thuộc tính {options} đã là của SKU {sku}</translation>
    </message>
    <message>
        <source>the price cannot be more than {max}.</source>
        <translation>giá bán không được lớn hơn {max}.</translation>
    </message>
    <message>
        <source>the price or discount price was changed while the form was open (now {price} / {discount}): close the form and open it again.</source>
        <translation>giá bán hoặc giá khuyến mãi đã bị thay đổi trong lúc biểu mẫu đang mở (hiện là {price} / {discount}): hãy đóng biểu mẫu rồi mở lại.</translation>
    </message>
    <message>
        <source>the price update</source>
        <translation>cập nhật giá</translation>
    </message>
    <message>
        <source>the product is not linked to a marketplace item yet (no item id): Fetch listings in Sales channels, then Retry</source>
        <translation>sản phẩm chưa được liên kết với sản phẩm trên sàn (chưa có mã sản phẩm): hãy Lấy sản phẩm đang bán trong Kênh bán hàng, rồi Thử lại</translation>
    </message>
    <message>
        <source>the product is not linked to a marketplace item yet (no item id): its ids are learnt from the next synced order that sells it, then Retry</source>
        <translation>sản phẩm chưa được liên kết với sản phẩm trên sàn (chưa có mã sản phẩm): mã sẽ được lấy từ đơn hàng đồng bộ tiếp theo có bán sản phẩm này, rồi Thử lại</translation>
    </message>
    <message>
        <source>the product would have {count} variants; at most {limit} are allowed</source>
        <translation>sản phẩm sẽ có {count} phân loại; tối đa {limit}</translation>
    </message>
    <message>
        <source>the stock cannot be more than {max}.</source>
        <translation>tồn kho không được lớn hơn {max}.</translation>
    </message>
    <message>
        <source>the stock update</source>
        <translation>cập nhật tồn kho</translation>
    </message>
    <message>
        <source>the weight must be 1 to {most} g.</source>
        <translation>khối lượng phải từ 1 đến {most} g.</translation>
    </message>
    <message>
        <source>this image format is not supported; use JPEG, PNG, WebP, GIF or BMP.</source>
        <translation>không hỗ trợ định dạng ảnh này; hãy dùng JPEG, PNG, WebP, GIF hoặc BMP.</translation>
    </message>
    <message>
        <source>this is not a file.</source>
        <translation>đây không phải là tệp.</translation>
    </message>
    <message>
        <source>this is not an image Primedist can read.</source>
        <translation>đây không phải ảnh Prime Distribution đọc được.</translation>
    </message>
    <message>
        <source>this variant is not on the marketplace item (no model id): add it in Seller Center; Fetch listings in Sales channels, then Retry</source>
        <translation>phân loại này chưa có trong sản phẩm trên sàn (chưa có mã phân loại): hãy thêm nó trong Kênh Người Bán; Lấy sản phẩm đang bán trong Kênh bán hàng, rồi Thử lại</translation>
    </message>
    <message>
        <source>this variant is not on the marketplace item (no model id): add it in Seller Center; its ids are learnt from the next synced order that sells it, then Retry</source>
        <translation>phân loại này chưa có trong sản phẩm trên sàn (chưa có mã phân loại): hãy thêm nó trong Kênh Người Bán; mã sẽ được lấy từ đơn hàng đồng bộ tiếp theo có bán nó, rồi Thử lại</translation>
    </message>
    <message>
        <source>two of its models have the same options</source>
        <translation>hai phân loại của nó có cùng thuộc tính</translation>
    </message>
    <message>
        <source>unknown value {cell} (use one of: {choices})</source>
        <translation>giá trị không hợp lệ {cell} (dùng một trong: {choices})</translation>
    </message>
    <message>
        <source>unlisted from {shop}</source>
        <translation>ngừng đăng bán trên {shop}</translation>
    </message>
    <message>
        <source>up {amount}</source>
        <translation>tăng {amount}</translation>
    </message>
    <message>
        <source>up {percent}%</source>
        <translation>tăng {percent}%</translation>
    </message>
    <message>
        <source>ward</source>
        <translation>phường/xã</translation>
    </message>
    <message>
        <source>with the order&apos;s stored marketplace, voucher, promotion and points discounts the total would be {total}</source>
        <translation>tính cả giảm giá của sàn, mã giảm giá, khuyến mãi và điểm đã lưu của đơn thì tổng sẽ là {total}</translation>
    </message>
    <message>
        <source>{address} is not a printer address: use HOST:PORT, e.g. 192.168.1.50:9100.</source>
        <translation>{address} không phải địa chỉ máy in: hãy dùng HOST:PORT, ví dụ 192.168.1.50:9100.</translation>
    </message>
    <message>
        <source>{amount} đ</source>
        <translation>{amount} ₫</translation>
    </message>
    <message>
        <source>{attribute} is longer than {limit} characters.</source>
        <translation>{attribute} dài hơn {limit} ký tự.</translation>
    </message>
    <message>
        <source>{barcode} is not a valid {kind}: its last (check) digit should be {digit} ({right}).</source>
        <translation>{barcode} không phải mã {kind} hợp lệ: số cuối (số kiểm tra) phải là {digit} ({right}).</translation>
    </message>
    <message>
        <source>{carrier_names} refused these credentials: {user_message}</source>
        <translation>{carrier_names} từ chối thông tin đăng nhập này: {user_message}</translation>
    </message>
    <message>
        <source>{carrier} account {account} added ({described})</source>
        <translation>Đã thêm tài khoản {carrier} {account} ({described})</translation>
    </message>
    <message>
        <source>{carrier} account {account}: new credentials saved ({described})</source>
        <translation>Tài khoản {carrier} {account}: đã lưu thông tin đăng nhập mới ({described})</translation>
    </message>
    <message>
        <source>{carrier}: {status}</source>
        <translation>{carrier}: {status}</translation>
    </message>
    <message>
        <source>{cell} has an unknown month {month}</source>
        <translation>{cell} có tháng không hiểu được {month}</translation>
    </message>
    <message>
        <source>{cell} is in the future</source>
        <translation>{cell} là ngày trong tương lai</translation>
    </message>
    <message>
        <source>{cell} is not a date (use {formats})</source>
        <translation>{cell} không phải là ngày (dùng {formats})</translation>
    </message>
    <message>
        <source>{cell} is not a possible date (the year must be {low}–{high})</source>
        <translation>{cell} không phải ngày hợp lệ (năm phải từ {low} đến {high})</translation>
    </message>
    <message>
        <source>{cell} is not a real date</source>
        <translation>{cell} không phải là ngày có thật</translation>
    </message>
    <message>
        <source>{cell} is not a whole number of đồng</source>
        <translation>{cell} không phải là số đồng chẵn</translation>
    </message>
    <message>
        <source>{cell} is not an amount</source>
        <translation>{cell} không phải là số tiền</translation>
    </message>
    <message>
        <source>{cell} is not an amount in đồng</source>
        <translation>{cell} không phải là số tiền bằng đồng</translation>
    </message>
    <message>
        <source>{cell} is not an exact id: Excel stored it as a number and dropped digits; export the file again from the Seller Center (or keep the column as text)</source>
        <translation>{cell} không phải mã chính xác: Excel đã lưu nó dưới dạng số và làm mất chữ số; hãy xuất lại tệp từ Seller Center (hoặc giữ cột ở dạng văn bản)</translation>
    </message>
    <message>
        <source>{cell} is not an exact id: Excel stored it as a number and dropped digits; format the column as text and type the ids again</source>
        <translation>{cell} không phải mã chính xác: Excel đã lưu nó dạng số và làm mất chữ số; hãy định dạng cột là văn bản rồi nhập lại các mã</translation>
    </message>
    <message>
        <source>{changed} of {count} products</source>
        <translation>{changed} trên {count} sản phẩm</translation>
    </message>
    <message>
        <source>{changes}; {more_changes}</source>
        <translation>{changes}; {more_changes}</translation>
    </message>
    <message>
        <source>{code} awaits no more goods.</source>
        <translation>{code} không còn chờ hàng về.</translation>
    </message>
    <message>
        <source>{code} awaits only goods deleted or archived since it was ordered ({skus}): they can no longer be received. Close the order.</source>
        <translation>{code} chỉ còn chờ hàng đã bị xóa hoặc lưu trữ sau khi đặt ({skus}): không thể nhập kho được nữa. Hãy đóng đơn đặt hàng.</translation>
    </message>
    <message>
        <source>{code} came in full: it awaits no more goods.</source>
        <translation>{code} đã về đủ hàng: không còn chờ hàng về.</translation>
    </message>
    <message>
        <source>{code} cancelled ({reason})</source>
        <translation>Hủy {code} ({reason})</translation>
    </message>
    <message>
        <source>{code} cannot be a barcode: use letters without accents, digits and - . / _ only.</source>
        <translation>{code} không in thành mã vạch được: chỉ dùng chữ không dấu, chữ số và - . / _.</translation>
    </message>
    <message>
        <source>{code} changed: {lines} lines, {units} units</source>
        <translation>Sửa {code}: {lines} dòng, {units} sản phẩm</translation>
    </message>
    <message>
        <source>{code} closed ({reason})</source>
        <translation>Kết thúc {code} ({reason})</translation>
    </message>
    <message>
        <source>{code} is not a payment code (PT000012).</source>
        <translation>{code} không phải mã phiếu thu (PT000012).</translation>
    </message>
    <message>
        <source>{code} is not a supplier payment code (PC000012).</source>
        <translation>{code} không phải mã phiếu chi (PC000012).</translation>
    </message>
    <message>
        <source>{code} is too long for {w} mm wide labels: choose wider labels or give the variant a shorter barcode.</source>
        <translation>{code} quá dài cho tem rộng {w} mm: hãy chọn tem rộng hơn hoặc đặt mã vạch ngắn hơn cho phân loại.</translation>
    </message>
    <message>
        <source>{code} names no supplier: nothing was paid for it, so no money can come back for its goods.</source>
        <translation>{code} không ghi nhà cung cấp: phiếu này chưa trả tiền cho ai, nên không thể nhận lại tiền cho hàng của phiếu.</translation>
    </message>
    <message>
        <source>{code} reopened: {receipt} was cancelled</source>
        <translation>Mở lại {code}: phiếu {receipt} đã bị hủy</translation>
    </message>
    <message>
        <source>{code} to {supplier}: {lines} lines, {units} units</source>
        <translation>{code} gửi {supplier}: {lines} dòng, {units} sản phẩm</translation>
    </message>
    <message>
        <source>{code} was cancelled already.</source>
        <translation>{code} đã bị hủy trước đó.</translation>
    </message>
    <message>
        <source>{code} was cancelled: it awaits no more goods.</source>
        <translation>{code} đã bị hủy: không còn chờ hàng về.</translation>
    </message>
    <message>
        <source>{code} was cancelled: nothing of it can go back.</source>
        <translation>{code} đã bị hủy: không thể trả hàng của phiếu này.</translation>
    </message>
    <message>
        <source>{code} was closed: it awaits no more goods.</source>
        <translation>{code} đã kết thúc: không còn chờ hàng về.</translation>
    </message>
    <message>
        <source>{code} was ordered from {supplier}: the receipt names another supplier.</source>
        <translation>{code} được đặt của {supplier}: phiếu nhập lại ghi nhà cung cấp khác.</translation>
    </message>
    <message>
        <source>{code} was paid with goods receipt {receipt}: cancel the receipt instead.</source>
        <translation>{code} được trả cùng phiếu nhập {receipt}: hãy hủy phiếu nhập đó.</translation>
    </message>
    <message>
        <source>{code} {name} (customers who spent {threshold} join it)</source>
        <translation>{code} {name} (khách chi tiêu từ {threshold} được lên nhóm)</translation>
    </message>
    <message>
        <source>{code} {name} (no automatic upgrade)</source>
        <translation>{code} {name} (không tự động lên nhóm)</translation>
    </message>
    <message>
        <source>{code} {name} (stock {stock})</source>
        <translation>{code} {name} (tồn kho {stock})</translation>
    </message>
    <message>
        <source>{code} {name}: {count} members fell back to no level</source>
        <translation>{code} {name}: {count} thành viên không còn thuộc nhóm nào</translation>
    </message>
    <message>
        <source>{code} {name}; added {added}; removed {removed}</source>
        <translation>{code} {name}; thêm {added}; bỏ {removed}</translation>
    </message>
    <message>
        <source>{code} {name}; added {skus}</source>
        <translation>{code} {name}; thêm {skus}</translation>
    </message>
    <message>
        <source>{code} {name}; removed {skus}</source>
        <translation>{code} {name}; bỏ {skus}</translation>
    </message>
    <message>
        <source>{code}: added nothing → stock {stock}</source>
        <translation>{code}: không thêm gì → tồn kho {stock}</translation>
    </message>
    <message>
        <source>{code}: added {skus} → stock {stock}</source>
        <translation>{code}: thêm {skus} → tồn kho {stock}</translation>
    </message>
    <message>
        <source>{code}: removed nothing</source>
        <translation>{code}: không bỏ gì</translation>
    </message>
    <message>
        <source>{code}: removed {skus}</source>
        <translation>{code}: bỏ {skus}</translation>
    </message>
    <message>
        <source>{code}: what {name} owes changed by {amount} đ ({reason})</source>
        <translation>{code}: công nợ của {name} thay đổi {amount} ₫ ({reason})</translation>
    </message>
    <message>
        <source>{code}: {amount} paid to {name}</source>
        <translation>{code}: đã trả {amount} cho {name}</translation>
    </message>
    <message>
        <source>{code}: {lines} lines, {units} units</source>
        <translation>{code}: {lines} dòng, {units} sản phẩm</translation>
    </message>
    <message>
        <source>{code}: {name}</source>
        <translation>{code}: {name}</translation>
    </message>
    <message>
        <source>{code}: {name} paid {amount} đ of {owed} đ</source>
        <translation>{code}: {name} trả {amount} ₫ trên số nợ {owed} ₫</translation>
    </message>
    <message>
        <source>{code}: {name}&apos;s balance {amount} ({reason})</source>
        <translation>{code}: công nợ {name} {amount} ({reason})</translation>
    </message>
    <message>
        <source>{code}: {units} units of {receipt} back to the supplier</source>
        <translation>{code}: trả lại nhà cung cấp {units} sản phẩm của {receipt}</translation>
    </message>
    <message>
        <source>{count} SKU groups</source>
        <translation>{count} nhóm SKU</translation>
    </message>
    <message>
        <source>{count} addresses</source>
        <translation>{count} địa chỉ</translation>
    </message>
    <message>
        <source>{count} addresses dropped</source>
        <translation>{count} địa chỉ bị bỏ</translation>
    </message>
    <message>
        <source>{count} audit rows</source>
        <translation>{count} dòng nhật ký</translation>
    </message>
    <message>
        <source>{count} audit rows do not fit one Excel sheet: narrow the dates.</source>
        <translation>{count} dòng nhật ký hoạt động không vừa một trang Excel: hãy thu hẹp khoảng ngày.</translation>
    </message>
    <message>
        <source>{count} balance adjustments</source>
        <translation>{count} lần điều chỉnh công nợ</translation>
    </message>
    <message>
        <source>{count} customers</source>
        <translation>{count} khách hàng</translation>
    </message>
    <message>
        <source>{count} customers deleted: {who}</source>
        <translation>Đã xóa {count} khách hàng: {who}</translation>
    </message>
    <message>
        <source>{count} customers do not fit one Excel sheet ({limit} rows at most).</source>
        <translation>{count} khách hàng không vừa một trang Excel (tối đa {limit} dòng).</translation>
    </message>
    <message>
        <source>{count} customers linked</source>
        <translation>{count} khách hàng được liên kết</translation>
    </message>
    <message>
        <source>{count} identities</source>
        <translation>{count} tài khoản sàn</translation>
    </message>
    <message>
        <source>{count} image(s) added</source>
        <translation>thêm {count} ảnh</translation>
    </message>
    <message>
        <source>{count} image(s) removed</source>
        <translation>xóa {count} ảnh</translation>
    </message>
    <message>
        <source>{count} more</source>
        <translation>và {count} dòng khác</translation>
    </message>
    <message>
        <source>{count} new customers</source>
        <translation>{count} khách hàng mới</translation>
    </message>
    <message>
        <source>{count} new products</source>
        <translation>{count} sản phẩm mới</translation>
    </message>
    <message>
        <source>{count} new shops</source>
        <translation>{count} gian hàng mới</translation>
    </message>
    <message>
        <source>{count} orders</source>
        <translation>{count} đơn hàng</translation>
    </message>
    <message>
        <source>{count} orders could not be read: {orders}.</source>
        <translation>Không đọc được {count} đơn hàng: {orders}.</translation>
    </message>
    <message>
        <source>{count} orders: {orders}</source>
        <translation>{count} đơn hàng: {orders}</translation>
    </message>
    <message>
        <source>{count} payments</source>
        <translation>{count} phiếu thu</translation>
    </message>
    <message>
        <source>{count} phones</source>
        <translation>{count} số điện thoại</translation>
    </message>
    <message>
        <source>{count} points entries</source>
        <translation>{count} bút toán điểm</translation>
    </message>
    <message>
        <source>{count} referred customers</source>
        <translation>{count} khách được giới thiệu</translation>
    </message>
    <message>
        <source>{count} segments</source>
        <translation>{count} phân khúc</translation>
    </message>
    <message>
        <source>{count} shop secrets are encrypted with a key kept in this PC&apos;s keyring; the other PCs need a copy: add --key-out FILE (then put FILE as secret.key in their data dirs). Nothing was copied.</source>
        <translation>{count} bí mật của gian hàng được mã hóa bằng khóa lưu trong keyring của máy này; các máy khác cần một bản sao: thêm --key-out FILE (rồi đặt FILE làm secret.key trong thư mục dữ liệu của các máy đó). Chưa sao chép gì.</translation>
    </message>
    <message>
        <source>{count} stock movements</source>
        <translation>{count} lần thay đổi tồn kho</translation>
    </message>
    <message>
        <source>{count} tags</source>
        <translation>{count} thẻ</translation>
    </message>
    <message>
        <source>{count} variants</source>
        <translation>{count} phân loại</translation>
    </message>
    <message>
        <source>{count} variants are chosen: change the prices of at most {most} at a time.</source>
        <translation>Đã chọn {count} phân loại: mỗi lần chỉ đổi giá tối đa {most} phân loại.</translation>
    </message>
    <message>
        <source>{count} variants do not fit one Excel sheet ({most} rows at most): narrow the filter.</source>
        <translation>{count} phân loại không vừa một trang Excel (tối đa {most} dòng): hãy thu hẹp bộ lọc.</translation>
    </message>
    <message>
        <source>{count} variants; at most {limit} are allowed.</source>
        <translation>{count} phân loại; tối đa {limit} phân loại.</translation>
    </message>
    <message>
        <source>{customers} merged into {customer}</source>
        <translation>{customers} đã gộp vào {customer}</translation>
    </message>
    <message>
        <source>{customers} merged into {customer}: {moved}</source>
        <translation>{customers} đã gộp vào {customer}: {moved}</translation>
    </message>
    <message>
        <source>{customers}: not duplicates</source>
        <translation>{customers}: không trùng</translation>
    </message>
    <message>
        <source>{customer} (the shop owes them {amount} đ)</source>
        <translation>{customer} (cửa hàng đang nợ khách {amount} đ)</translation>
    </message>
    <message>
        <source>{customer} has only {points} points.</source>
        <translation>{customer} chỉ có {points} điểm.</translation>
    </message>
    <message>
        <source>{customer} was deleted: a sale to them cannot go on account.</source>
        <translation>{customer} đã bị xóa: không thể bán ghi nợ cho khách này.</translation>
    </message>
    <message>
        <source>{customer}: +{points} points ({reason})</source>
        <translation>{customer}: +{points} điểm ({reason})</translation>
    </message>
    <message>
        <source>{customer}: -{points} points ({reason})</source>
        <translation>{customer}: -{points} điểm ({reason})</translation>
    </message>
    <message>
        <source>{customer}: assigned to nobody</source>
        <translation>{customer}: bỏ người phụ trách</translation>
    </message>
    <message>
        <source>{customer}: assigned to {user}</source>
        <translation>{customer}: giao cho {user}</translation>
    </message>
    <message>
        <source>{customer}: automatic rank/level update resumed</source>
        <translation>{customer}: tiếp tục tự động cập nhật hạng/nhóm</translation>
    </message>
    <message>
        <source>{customer}: automatic rank/level update skipped</source>
        <translation>{customer}: bỏ qua tự động cập nhật hạng/nhóm</translation>
    </message>
    <message>
        <source>{customer}: picture changed</source>
        <translation>{customer}: đã đổi ảnh</translation>
    </message>
    <message>
        <source>{customer}: picture removed</source>
        <translation>{customer}: đã gỡ ảnh</translation>
    </message>
    <message>
        <source>{customer}: rank set to {rank} by hand (pinned)</source>
        <translation>{customer}: đặt hạng {rank} thủ công (giữ hạng)</translation>
    </message>
    <message>
        <source>{customer}: staff note changed</source>
        <translation>{customer}: đổi ghi chú nội bộ</translation>
    </message>
    <message>
        <source>{customer}: tags changed</source>
        <translation>{customer}: đổi thẻ</translation>
    </message>
    <message>
        <source>{customer}: {address} (replaced the oldest: {replaced})</source>
        <translation>{customer}: {address} (thay địa chỉ cũ nhất: {replaced})</translation>
    </message>
    <message>
        <source>{customer}: {name} (added again: updated)</source>
        <translation>{customer}: {name} (thêm lại: đã cập nhật)</translation>
    </message>
    <message>
        <source>{database} cannot be used: {error}</source>
        <translation>Không dùng được {database}: {error}</translation>
    </message>
    <message>
        <source>{database} is not a database this app can use: give postgresql+psycopg://USER:PASSWORD@HOST/DB (or sqlite:///FILE).</source>
        <translation>{database} không phải cơ sở dữ liệu ứng dụng dùng được: hãy nhập postgresql+psycopg://USER:PASSWORD@HOST/DB (hoặc sqlite:///FILE).</translation>
    </message>
    <message>
        <source>{day} is not a possible birthday</source>
        <translation>{day} không phải ngày sinh hợp lệ</translation>
    </message>
    <message>
        <source>{deleted} Kept until their account is settled: {who}.</source>
        <translation>{deleted} Giữ lại cho đến khi tất toán công nợ: {who}.</translation>
    </message>
    <message>
        <source>{deleted} customers deleted.</source>
        <translation>Đã xóa {deleted} khách hàng.</translation>
    </message>
    <message>
        <source>{deleted} customers deleted; kept because they still owe money: {who}.</source>
        <translation>Đã xóa {deleted} khách hàng; giữ lại vì còn nợ: {who}.</translation>
    </message>
    <message>
        <source>{deleted} deleted, {archived} archived</source>
        <translation>xóa {deleted}, lưu trữ {archived}</translation>
    </message>
    <message>
        <source>{discount} is above the price {price}</source>
        <translation>{discount} cao hơn giá bán {price}</translation>
    </message>
    <message>
        <source>{discount} is more than the line&apos;s {subtotal}</source>
        <translation>{discount} lớn hơn {subtotal} của dòng</translation>
    </message>
    <message>
        <source>{discount} is more than the order&apos;s subtotal {subtotal} plus shipping {shipping}</source>
        <translation>{discount} lớn hơn thành tiền {subtotal} cộng phí vận chuyển {shipping} của đơn</translation>
    </message>
    <message>
        <source>{email} is not a valid email address.</source>
        <translation>{email} không phải địa chỉ email hợp lệ.</translation>
    </message>
    <message>
        <source>{email} is not an email address.</source>
        <translation>{email} không phải địa chỉ email.</translation>
    </message>
    <message>
        <source>{email}: no account has this email</source>
        <translation>{email}: không có tài khoản nào dùng email này</translation>
    </message>
    <message>
        <source>{email}: wrong password</source>
        <translation>{email}: sai mật khẩu</translation>
    </message>
    <message>
        <source>{error} The carrier could not be asked whether it made shipment {shipment}: look for it on the carrier&apos;s site before shipping the order again.</source>
        <translation>{error} Không hỏi được đơn vị vận chuyển đã tạo vận đơn {shipment} hay chưa: hãy kiểm tra trên trang của đơn vị vận chuyển trước khi gửi lại đơn.</translation>
    </message>
    <message>
        <source>{error} is an Excel error (a formula that failed, such as a VLOOKUP that found nothing): fix the cell or clear it</source>
        <translation>{error} là lỗi của Excel (công thức bị lỗi, ví dụ VLOOKUP không tìm thấy giá trị): hãy sửa ô này hoặc xóa trống ô</translation>
    </message>
    <message>
        <source>{field} {how}</source>
        <translation>{field} {how}</translation>
    </message>
    <message>
        <source>{field} {how}, rounded to {step}</source>
        <translation>{field} {how}, làm tròn đến {step}</translation>
    </message>
    <message>
        <source>{file} cannot be read as an Excel file: it is damaged or not a workbook. Open it in Excel and save it again as .xlsx, or save it as CSV UTF-8</source>
        <translation>Không đọc được {file} như một tệp Excel: tệp bị hỏng hoặc không phải bảng tính. Hãy mở tệp bằng Excel rồi lưu lại thành .xlsx, hoặc lưu thành CSV UTF-8</translation>
    </message>
    <message>
        <source>{file} changed while it was being read (saved again or synced?): nothing was imported; import it again.</source>
        <translation>{file} đã thay đổi trong lúc đang đọc (vừa được lưu lại hoặc đồng bộ?): chưa nhập gì cả; hãy nhập lại.</translation>
    </message>
    <message>
        <source>{file} has a header but no data rows</source>
        <translation>{file} có dòng tiêu đề nhưng không có dòng dữ liệu</translation>
    </message>
    <message>
        <source>{file} has more than {rows} data rows: split it into smaller files</source>
        <translation>{file} có hơn {rows} dòng dữ liệu: hãy chia thành các tệp nhỏ hơn</translation>
    </message>
    <message>
        <source>{file} has no such column in its header (row {row}); the required columns are: {columns}</source>
        <translation>{file} không có cột này ở dòng tiêu đề (dòng {row}); các cột bắt buộc là: {columns}</translation>
    </message>
    <message>
        <source>{file} has no worksheet</source>
        <translation>{file} không có trang tính nào</translation>
    </message>
    <message>
        <source>{file} is empty</source>
        <translation>{file} trống</translation>
    </message>
    <message>
        <source>{file} is not UTF-8 text (it holds the byte 0x{byte}): save it as “CSV UTF-8” or as .xlsx</source>
        <translation>{file} không phải văn bản UTF-8 (có byte 0x{byte}): hãy lưu dạng “CSV UTF-8” hoặc .xlsx</translation>
    </message>
    <message>
        <source>{file} is not a readable CSV file: {reason}</source>
        <translation>{file} không phải tệp CSV đọc được: {reason}</translation>
    </message>
    <message>
        <source>{file} is not a real Excel file (its content is not an Excel workbook); open it in Excel and save it as .xlsx, or save it as CSV UTF-8</source>
        <translation>{file} không phải tệp Excel thật (nội dung không phải sổ làm việc Excel); hãy mở bằng Excel rồi lưu dạng .xlsx, hoặc lưu dạng CSV UTF-8</translation>
    </message>
    <message>
        <source>{file} is password-protected or an old Excel (.xls) file: open it in Excel, remove the password and save it as .xlsx (or CSV UTF-8)</source>
        <translation>{file} có đặt mật khẩu hoặc là tệp Excel đời cũ (.xls): hãy mở tệp bằng Excel, gỡ mật khẩu rồi lưu thành .xlsx (hoặc CSV UTF-8)</translation>
    </message>
    <message>
        <source>{file} is {size} MB: the limit is {limit} MB; split it into smaller files</source>
        <translation>{file} nặng {size} MB: tối đa là {limit} MB; hãy chia thành các tệp nhỏ hơn</translation>
    </message>
    <message>
        <source>{file} unpacks to {size} MB: the limit is {limit} MB; split it into smaller files</source>
        <translation>{file} khi giải nén nặng {size} MB: tối đa là {limit} MB; hãy chia thành các tệp nhỏ hơn</translation>
    </message>
    <message>
        <source>{file}: cannot be saved in the data folder ({reason}).</source>
        <translation>{file}: không lưu được vào thư mục dữ liệu ({reason}).</translation>
    </message>
    <message>
        <source>{file}: {why}</source>
        <translation>{file}: {why}</translation>
    </message>
    <message>
        <source>{first}; {second}</source>
        <translation>{first}; {second}</translation>
    </message>
    <message>
        <source>{folder} cannot hold the app&apos;s data: {error}.</source>
        <translation>{folder} không thể chứa dữ liệu của ứng dụng: {error}.</translation>
    </message>
    <message>
        <source>{format} images are not supported; use JPEG, PNG, WebP, GIF or BMP.</source>
        <translation>không hỗ trợ ảnh {format}; hãy dùng JPEG, PNG, WebP, GIF hoặc BMP.</translation>
    </message>
    <message>
        <source>{grams} g</source>
        <translation>{grams} g</translation>
    </message>
    <message>
        <source>{item} appears twice (rows {seen} and {number}): each unit has its own item id</source>
        <translation>{item} xuất hiện hai lần (dòng {seen} và {number}): mỗi sản phẩm có mã mục riêng</translation>
    </message>
    <message>
        <source>{item} is also on order {order} (row {seen}): each unit has its own item id</source>
        <translation>{item} cũng có trong đơn {order} (dòng {seen}): mỗi sản phẩm có mã dòng riêng</translation>
    </message>
    <message>
        <source>{item}: between 0 and {left} can be returned.</source>
        <translation>{item}: chỉ trả được từ 0 đến {left}.</translation>
    </message>
    <message>
        <source>{item}: between 0 and {returned} can go back to stock (the quantity returned).</source>
        <translation>{item}: chỉ nhập lại kho được từ 0 đến {returned} (số lượng trả về).</translation>
    </message>
    <message>
        <source>{kept} variants kept the price they were given by hand since.</source>
        <translation>{kept} phân loại giữ giá đã sửa tay trong thời gian chạy.</translation>
    </message>
    <message>
        <source>{length} products are named {name}: give the rows the SKU of an existing variant, or rename one of the products in the app</source>
        <translation>Có {length} sản phẩm tên {name}: hãy ghi SKU của một phân loại có sẵn, hoặc đổi tên một trong các sản phẩm trong ứng dụng</translation>
    </message>
    <message>
        <source>{level} {sku}: removed</source>
        <translation>{level} {sku}: đã bỏ</translation>
    </message>
    <message>
        <source>{level} {sku}: {price} đ</source>
        <translation>{level} {sku}: {price} ₫</translation>
    </message>
    <message>
        <source>{level}: {moved} of {count} customers given this level by hand</source>
        <translation>{level}: đã chuyển thủ công {moved} trong {count} khách hàng vào nhóm</translation>
    </message>
    <message>
        <source>{lines} lines counted, {changed} changed, difference {difference} ({amount} đ); {reason}</source>
        <translation>Đã kiểm {lines} dòng, {changed} thay đổi, chênh lệch {difference} ({amount} ₫); {reason}</translation>
    </message>
    <message>
        <source>{name} &lt;{email}&gt; added as {role}</source>
        <translation>Đã thêm {name} &lt;{email}&gt; với vai trò {role}</translation>
    </message>
    <message>
        <source>{name} &lt;{email}&gt;: the owner&apos;s password reset on this computer</source>
        <translation>{name} &lt;{email}&gt;: đặt lại mật khẩu chủ cửa hàng trên máy này</translation>
    </message>
    <message>
        <source>{name} cancelled</source>
        <translation>Đã hủy {name}</translation>
    </message>
    <message>
        <source>{name} cannot be read: {error}.</source>
        <translation>Không đọc được {name}: {error}.</translation>
    </message>
    <message>
        <source>{name} could not start: {why}. No price changed.</source>
        <translation>{name} không bắt đầu được: {why}. Không giá nào thay đổi.</translation>
    </message>
    <message>
        <source>{name} does not end in .{fmt}: name the file *.{fmt}.</source>
        <translation>{name} không có đuôi .{fmt}: hãy đặt tên tệp *.{fmt}.</translation>
    </message>
    <message>
        <source>{name} ended: {restored} variants have their price back, {kept} kept theirs</source>
        <translation>{name} đã kết thúc: {restored} phân loại về giá cũ, {kept} giữ giá hiện tại</translation>
    </message>
    <message>
        <source>{name} gave tokens for shop {said}, not for shop {given} of the redirect: authorise again.</source>
        <translation>{name} cấp mã truy cập cho gian hàng {said}, không phải gian hàng {given} trong địa chỉ chuyển hướng: hãy ủy quyền lại.</translation>
    </message>
    <message>
        <source>{name} has a header but no data rows</source>
        <translation>{name} có dòng tiêu đề nhưng không có dòng dữ liệu</translation>
    </message>
    <message>
        <source>{name} has a header but no orders</source>
        <translation>{name} có dòng tiêu đề nhưng không có đơn hàng</translation>
    </message>
    <message>
        <source>{name} has more than {limit} data rows: export a shorter period</source>
        <translation>{name} có hơn {limit} dòng dữ liệu: hãy xuất khoảng thời gian ngắn hơn</translation>
    </message>
    <message>
        <source>{name} has no column {header} (its columns: {columns}).</source>
        <translation>{name} không có cột {header} (các cột: {columns}).</translation>
    </message>
    <message>
        <source>{name} has no customer name column: name one {vi} or {en}, or map a column to name.</source>
        <translation>{name} không có cột tên khách hàng: hãy đặt tên cột {vi} hoặc {en}, hoặc gán một cột cho tên.</translation>
    </message>
    <message>
        <source>{name} has no schema version.</source>
        <translation>{name} không có phiên bản cấu trúc dữ liệu.</translation>
    </message>
    <message>
        <source>{name} has no worksheet</source>
        <translation>{name} không có trang tính nào</translation>
    </message>
    <message>
        <source>{name} has only {points_balance} points: {points} cannot be taken.</source>
        <translation>{name} chỉ còn {points_balance} điểm: không thể trừ {points} điểm.</translation>
    </message>
    <message>
        <source>{name} has schema version {revision}, which this version of Prime Distribution does not know (a newer app&apos;s backup, or another app&apos;s database).</source>
        <translation>{name} có phiên bản cấu trúc {revision} mà phiên bản Prime Distribution này không biết (bản sao lưu của ứng dụng mới hơn, hoặc cơ sở dữ liệu của ứng dụng khác).</translation>
    </message>
    <message>
        <source>{name} holds no shop and owner (a backup made before the shop was set up): choose another backup.</source>
        <translation>{name} không có cửa hàng và chủ cửa hàng (bản sao lưu tạo trước khi thiết lập cửa hàng): hãy chọn bản sao lưu khác.</translation>
    </message>
    <message>
        <source>{name} is a backup of a PostgreSQL database (pg_dump): restore it with pg_restore into a PostgreSQL database, not into this shop&apos;s SQLite store.</source>
        <translation>{name} là bản sao lưu của cơ sở dữ liệu PostgreSQL (pg_dump): hãy khôi phục bằng pg_restore vào cơ sở dữ liệu PostgreSQL, không phải vào kho SQLite của cửa hàng này.</translation>
    </message>
    <message>
        <source>{name} is a default tag: it can be renamed but not deleted.</source>
        <translation>{name} là thẻ mặc định: có thể đổi tên nhưng không xóa được.</translation>
    </message>
    <message>
        <source>{name} is already connected: use Re-authorise, or Disconnect it first.</source>
        <translation>{name} đã được kết nối: hãy dùng Ủy quyền lại, hoặc Ngắt kết nối trước.</translation>
    </message>
    <message>
        <source>{name} is damaged or incomplete: pg_restore says “{error}”. Copy it again from where the backup is kept, or choose another backup.</source>
        <translation>{name} bị hỏng hoặc không đầy đủ: pg_restore báo “{error}”. Hãy chép lại từ nơi lưu bản sao lưu, hoặc chọn bản sao lưu khác.</translation>
    </message>
    <message>
        <source>{name} is empty</source>
        <translation>{name} trống</translation>
    </message>
    <message>
        <source>{name} is incomplete ({size} of {expected} bytes): a copy that did not finish? Copy it again from where the backup is kept.</source>
        <translation>{name} chưa đầy đủ ({size} trên {expected} byte): có lẽ việc sao chép chưa xong? Hãy sao chép lại từ nơi lưu bản sao lưu.</translation>
    </message>
    <message>
        <source>{name} is not a Prime Distribution backup (another app&apos;s database).</source>
        <translation>{name} không phải bản sao lưu của Prime Distribution (đây là cơ sở dữ liệu của ứng dụng khác).</translation>
    </message>
    <message>
        <source>{name} is not a Prime Distribution backup (not SQLite).</source>
        <translation>{name} không phải bản sao lưu của Prime Distribution (không phải SQLite).</translation>
    </message>
    <message>
        <source>{name} is not a backup of a Prime Distribution shop: it holds no {tables} table.</source>
        <translation>{name} không phải bản sao lưu của cửa hàng Prime Distribution: không có bảng {tables}.</translation>
    </message>
    <message>
        <source>{name} is not a marketplace shop: it has nothing to link.</source>
        <translation>{name} không phải gian hàng trên sàn: không có gì để liên kết.</translation>
    </message>
    <message>
        <source>{name} is not a pg_dump backup (.dump file).</source>
        <translation>{name} không phải bản sao lưu pg_dump (tệp .dump).</translation>
    </message>
    <message>
        <source>{name} is not a readable CSV file: {exc}</source>
        <translation>{name} không phải tệp CSV đọc được: {exc}</translation>
    </message>
    <message>
        <source>{name} is not a real Excel file (its content is not an Excel workbook); download the export from the Seller Center again</source>
        <translation>{name} không phải tệp Excel thật (nội dung không phải sổ làm việc Excel); hãy tải lại tệp xuất từ Seller Center</translation>
    </message>
    <message>
        <source>{name} is not an order file this app knows: expected {expected}</source>
        <translation>{name} không phải tệp đơn hàng mà ứng dụng biết: cần {expected}</translation>
    </message>
    <message>
        <source>{name} is not linked yet: authorise it in Sales channels.</source>
        <translation>{name} chưa được liên kết: hãy ủy quyền trong Kênh bán hàng.</translation>
    </message>
    <message>
        <source>{name} is not {format_names}{seen}: its header (row {header_row}) lacks {lacking}; expected the headers {headers}</source>
        <translation>{name} không phải {format_names}{seen}: dòng tiêu đề (dòng {header_row}) thiếu {lacking}; cần các tiêu đề {headers}</translation>
    </message>
    <message>
        <source>{name} is on rows {first} and {second}: keep one.</source>
        <translation>{name} có ở dòng {first} và {second}: hãy giữ một dòng.</translation>
    </message>
    <message>
        <source>{name} is {format_names}, not the order template: import it with --format {format} (or --format auto)</source>
        <translation>{name} là {format_names}, không phải mẫu đơn hàng: hãy nhập với --format {format} (hoặc --format auto)</translation>
    </message>
    <message>
        <source>{name} is {size} MB: the limit is {limit} MB; export a shorter period</source>
        <translation>{name} nặng {size} MB: tối đa {limit} MB; hãy xuất khoảng thời gian ngắn hơn</translation>
    </message>
    <message>
        <source>{name} is {what}</source>
        <translation>{name} {what}</translation>
    </message>
    <message>
        <source>{name} looks like {format_names} but has no column {name2} in its header (row {header_row}); expected the headers {headers}</source>
        <translation>{name} giống {format_names} nhưng dòng tiêu đề (dòng {header_row}) không có cột {name2}; cần các tiêu đề {headers}</translation>
    </message>
    <message>
        <source>{name} owes nothing.</source>
        <translation>{name} không nợ.</translation>
    </message>
    <message>
        <source>{name} owes {owed} đ: the payment cannot be more.</source>
        <translation>{name} đang nợ {owed} ₫: không thể thu nhiều hơn.</translation>
    </message>
    <message>
        <source>{name} seller {ext} is the shop {other}, which is disconnected: select {other} in Sales channels and re-authorise it instead (its orders are kept there).</source>
        <translation>Người bán {name} {ext} chính là gian hàng {other} đã ngắt kết nối: hãy chọn {other} trong Kênh bán hàng và ủy quyền lại gian hàng đó (đơn hàng vẫn được giữ ở đó).</translation>
    </message>
    <message>
        <source>{name} shop {ext} is already linked as {other}.</source>
        <translation>Gian hàng {name} {ext} đã được liên kết với tên {other}.</translation>
    </message>
    <message>
        <source>{name} started: {rule}, {changed} variants</source>
        <translation>{name} đã bắt đầu: {rule}, {changed} phân loại</translation>
    </message>
    <message>
        <source>{name} still has {count} shipment(s) on the way: wait until they are delivered or returned, or update the account&apos;s token instead of removing it.</source>
        <translation>{name} vẫn còn {count} vận đơn đang giao: hãy chờ giao xong hoặc hoàn về, hoặc cập nhật token của tài khoản thay vì xóa.</translation>
    </message>
    <message>
        <source>{name} still has {waiting} shipment action(s) waiting to be sent: send or discard them first.</source>
        <translation>{name} còn {waiting} thao tác vận chuyển đang chờ gửi: hãy gửi hoặc bỏ trước.</translation>
    </message>
    <message>
        <source>{name}: this version cannot link {name2} shops yet.</source>
        <translation>{name}: phiên bản này chưa liên kết được gian hàng {name2}.</translation>
    </message>
    <message>
        <source>{name}: unsupported file type {suffix}; a Seller Center export is an .xlsx (or .csv) file</source>
        <translation>{name}: không hỗ trợ loại tệp {suffix}; tệp xuất từ Seller Center là tệp .xlsx (hoặc .csv)</translation>
    </message>
    <message>
        <source>{name}: {rule} on {count} products</source>
        <translation>{name}: {rule} cho {count} sản phẩm</translation>
    </message>
    <message>
        <source>{new} is below the discount price {discount} of SKU {sku}: give the discount_price column too</source>
        <translation>{new} thấp hơn giá khuyến mãi {discount} của SKU {sku}: hãy ghi cả cột discount_price</translation>
    </message>
    <message>
        <source>{new} new, {updated} updated, {unchanged} unchanged</source>
        <translation>{new} mới, {updated} cập nhật, {unchanged} không đổi</translation>
    </message>
    <message>
        <source>{new} new, {updated} updated, {unchanged} unchanged, {rejected} rejected</source>
        <translation>{new} mới, {updated} cập nhật, {unchanged} không đổi, {rejected} bị từ chối</translation>
    </message>
    <message>
        <source>{number} is more than the limit of {maximum}</source>
        <translation>{number} vượt quá giới hạn {maximum}</translation>
    </message>
    <message>
        <source>{number} must be at least {minimum}</source>
        <translation>{number} phải từ {minimum} trở lên</translation>
    </message>
    <message>
        <source>{number} must not be negative</source>
        <translation>{number} không được âm</translation>
    </message>
    <message>
        <source>{n} labels are too many for one job (at most {max}): print them in parts.</source>
        <translation>{n} tem là quá nhiều cho một lần in (tối đa {max}): hãy in thành nhiều đợt.</translation>
    </message>
    <message>
        <source>{options} is already variant {n}.</source>
        <translation>{options} trùng với phân loại {n}.</translation>
    </message>
    <message>
        <source>{order} is confirmed on {channel} (its shipment is arranged): {channel} no longer lets the seller cancel it. The buyer can ask {channel} to cancel, or refuse the parcel.</source>
        <translation>Đơn {order} đã được xác nhận trên {channel} (đã sắp xếp vận chuyển): {channel} không cho người bán hủy đơn nữa. Người mua có thể yêu cầu {channel} hủy, hoặc từ chối nhận hàng.</translation>
    </message>
    <message>
        <source>{order} is not paid yet on {channel}: confirm it once {channel} shows it ready to ship.</source>
        <translation>{order} chưa được thanh toán trên {channel}: hãy xác nhận khi {channel} báo đơn đã sẵn sàng giao.</translation>
    </message>
    <message>
        <source>{order}: cancel of shipment {shipment} queued</source>
        <translation>{order}: đã xếp hàng chờ hủy vận đơn {shipment}</translation>
    </message>
    <message>
        <source>{order}: shipment {shipment} dropped before it was sent</source>
        <translation>{order}: đã bỏ vận đơn {shipment} trước khi gửi</translation>
    </message>
    <message>
        <source>{order}: shipment {shipment} queued with {account}</source>
        <translation>{order}: đã xếp hàng chờ tạo vận đơn {shipment} với {account}</translation>
    </message>
    <message>
        <source>{order}: {before} đ → {after} đ</source>
        <translation>{order}: {before} ₫ → {after} ₫</translation>
    </message>
    <message>
        <source>{order}: {note}</source>
        <translation>{order}: {note}</translation>
    </message>
    <message>
        <source>{order}: {status} → {to}</source>
        <translation>{order}: {status} → {to}</translation>
    </message>
    <message>
        <source>{order}: {status} → {to} ({reason})</source>
        <translation>{order}: {status} → {to} ({reason})</translation>
    </message>
    <message>
        <source>{order}: {total} đ ({source})</source>
        <translation>{order}: {total} ₫ ({source})</translation>
    </message>
    <message>
        <source>{path} already exists: give a new file for the key.</source>
        <translation>{path} đã tồn tại: hãy chọn một tệp mới cho khóa.</translation>
    </message>
    <message>
        <source>{path} already exists: give the name of a new file, or a folder to write the backup in.</source>
        <translation>{path} đã tồn tại: hãy đặt tên một tệp mới, hoặc chọn thư mục để ghi bản sao lưu vào.</translation>
    </message>
    <message>
        <source>{path} cannot be opened: {reason}</source>
        <translation>Không mở được {path}: {reason}</translation>
    </message>
    <message>
        <source>{path} does not exist.</source>
        <translation>{path} không tồn tại.</translation>
    </message>
    <message>
        <source>{path} is a folder: give the backup file in it.</source>
        <translation>{path} là một thư mục: hãy chọn tệp sao lưu trong đó.</translation>
    </message>
    <message>
        <source>{path} is not a file</source>
        <translation>{path} không phải là tệp</translation>
    </message>
    <message>
        <source>{percent}% off the selling price</source>
        <translation>giảm {percent}% so với giá bán</translation>
    </message>
    <message>
        <source>{phone} already belongs to {name} ({code}).</source>
        <translation>Số {phone} đã thuộc về khách {name} ({code}).</translation>
    </message>
    <message>
        <source>{phone} already belongs to {name} ({code}): skip, update that customer, or create a new one anyway.</source>
        <translation>Số {phone} đã thuộc về khách {name} ({code}): bỏ qua, cập nhật khách đó, hoặc vẫn tạo khách mới.</translation>
    </message>
    <message>
        <source>{phone} is masked: enter the full phone number.</source>
        <translation>{phone} bị che: hãy nhập đầy đủ số điện thoại.</translation>
    </message>
    <message>
        <source>{phone} is not a phone number.</source>
        <translation>{phone} không phải số điện thoại.</translation>
    </message>
    <message>
        <source>{phone} is not a valid phone number.</source>
        <translation>{phone} không phải số điện thoại hợp lệ.</translation>
    </message>
    <message>
        <source>{platform} answered with an error: tried again shortly (“{reason}”)</source>
        <translation>{platform} báo lỗi: sẽ thử lại sau ít phút (“{reason}”)</translation>
    </message>
    <message>
        <source>{platform} did not answer within {seconds} s ({path}).</source>
        <translation>{platform} không phản hồi trong {seconds} giây ({path}).</translation>
    </message>
    <message>
        <source>{platform} did not say which shop the authorisation is for: authorise again.</source>
        <translation>{platform} không cho biết ủy quyền dành cho gian hàng nào: hãy ủy quyền lại.</translation>
    </message>
    <message>
        <source>{platform} did not take {action} (“{reason}”)</source>
        <translation>{platform} không nhận {action} (“{reason}”)</translation>
    </message>
    <message>
        <source>{platform} did not take {action}: the item is not on the marketplace (“{reason}”)</source>
        <translation>{platform} không nhận {action}: sản phẩm không có trên sàn (“{reason}”)</translation>
    </message>
    <message>
        <source>{platform} did not take {action}: the order is not on the marketplace (“{reason}”)</source>
        <translation>{platform} không nhận {action}: đơn không còn trên sàn (“{reason}”)</translation>
    </message>
    <message>
        <source>{platform} did not take {action}: the order&apos;s status there does not allow it now (“{reason}”)</source>
        <translation>{platform} không nhận {action}: trạng thái đơn trên sàn hiện không cho phép (“{reason}”)</translation>
    </message>
    <message>
        <source>{platform} does not take {action} from here: do it in its Seller Center (“{reason}”)</source>
        <translation>{platform} không nhận {action} từ ứng dụng: hãy làm trong Seller Center (“{reason}”)</translation>
    </message>
    <message>
        <source>{platform} is busy (too many requests): tried again shortly (“{reason}”)</source>
        <translation>{platform} đang quá tải (quá nhiều yêu cầu): sẽ thử lại sau ít phút (“{reason}”)</translation>
    </message>
    <message>
        <source>{platform} named the shop {said}, which is not a shop id: authorise again.</source>
        <translation>{platform} trả về gian hàng {said}, không phải mã gian hàng: hãy ủy quyền lại.</translation>
    </message>
    <message>
        <source>{platform} no longer accepts the shop&apos;s authorisation: authorise the shop again in Settings → Sales channels (“{reason}”)</source>
        <translation>{platform} không còn chấp nhận quyền truy cập của gian hàng: hãy ủy quyền lại trong Cài đặt → Kênh bán hàng (“{reason}”)</translation>
    </message>
    <message>
        <source>{platform}&apos;s daily call limit is used up: sent again after it resets (“{reason}”)</source>
        <translation>{platform} đã hết lượt gọi trong ngày: sẽ gửi lại khi được cấp lượt mới (“{reason}”)</translation>
    </message>
    <message>
        <source>{price} đ is above the list price of {sku} ({list_price} đ): members pay the list price while it is lower.</source>
        <translation>{price} ₫ cao hơn giá niêm yết của {sku} ({list_price} ₫): khách trong nhóm sẽ trả giá niêm yết khi giá đó thấp hơn.</translation>
    </message>
    <message>
        <source>{price} đ is less than half the list price of {sku} ({list_price} đ): members would buy at this price. Is a digit missing?</source>
        <translation>{price} đ thấp hơn một nửa giá niêm yết của {sku} ({list_price} đ): khách trong nhóm sẽ mua với giá này. Có thiếu chữ số không?</translation>
    </message>
    <message>
        <source>{printer} is not an ESC/POS printer.</source>
        <translation>{printer} không phải máy in ESC/POS.</translation>
    </message>
    <message>
        <source>{problem}: this value was not imported</source>
        <translation>{problem}: giá trị này không được nhập</translation>
    </message>
    <message>
        <source>{qty} is not a quantity (1 to {limit})</source>
        <translation>{qty} không phải số lượng (1 đến {limit})</translation>
    </message>
    <message>
        <source>{reason} (on {pc})</source>
        <translation>{reason} (trên máy {pc})</translation>
    </message>
    <message>
        <source>{refusal} {note}</source>
        <translation>{refusal} {note}</translation>
    </message>
    <message>
        <source>{role} is not a role (manager or staff).</source>
        <translation>{role} không phải vai trò hợp lệ (manager hoặc staff).</translation>
    </message>
    <message>
        <source>{rule}: {changed} of {count} variants</source>
        <translation>{rule}: {changed} / {count} phân loại</translation>
    </message>
    <message>
        <source>{segment} ({count} members)</source>
        <translation>{segment} ({count} thành viên)</translation>
    </message>
    <message>
        <source>{segment}: added {added} of {count} customers</source>
        <translation>{segment}: thêm {added} trên {count} khách hàng</translation>
    </message>
    <message>
        <source>{segment}: removed {removed} of {count} customers</source>
        <translation>{segment}: bỏ {removed} trên {count} khách hàng</translation>
    </message>
    <message>
        <source>{segment}: {count} customers</source>
        <translation>{segment}: {count} khách hàng</translation>
    </message>
    <message>
        <source>{shop} ({channel}, {id_label} {app_id})</source>
        <translation>{shop} ({channel}, {id_label} {app_id})</translation>
    </message>
    <message>
        <source>{shop} disconnected (tokens removed, orders kept)</source>
        <translation>Đã ngắt kết nối {shop} (đã xóa token, giữ lại đơn hàng)</translation>
    </message>
    <message>
        <source>{shop} linked to {channel} shop {external_id}</source>
        <translation>Đã liên kết {shop} với gian hàng {channel} {external_id}</translation>
    </message>
    <message>
        <source>{shop} needs re-authorisation: {reason}</source>
        <translation>{shop} cần ủy quyền lại: {reason}</translation>
    </message>
    <message>
        <source>{shop}: 1 order fetched, {new} new, {updated} updated, {unchanged} unchanged ({seconds} s)</source>
        <translation>{shop}: đã tải 1 đơn hàng, {new} mới, {updated} cập nhật, {unchanged} không đổi ({seconds} giây)</translation>
    </message>
    <message>
        <source>{shop}: default low-stock level {before} removed</source>
        <translation>{shop}: bỏ ngưỡng sắp hết hàng mặc định {before}</translation>
    </message>
    <message>
        <source>{shop}: default low-stock level {before} → {level}</source>
        <translation>{shop}: ngưỡng sắp hết hàng mặc định {before} → {level}</translation>
    </message>
    <message>
        <source>{shop}: looking for orders changed {first} – {last}</source>
        <translation>{shop}: đang tìm các đơn thay đổi {first} – {last}</translation>
    </message>
    <message>
        <source>{shop}: reading the listings of this marketplace is not available yet; its listings get their ids from synced orders.</source>
        <translation>{shop}: chưa hỗ trợ đọc sản phẩm của sàn này; sản phẩm nhận mã trên sàn từ các đơn hàng được đồng bộ.</translation>
    </message>
    <message>
        <source>{shop}: {done} of {total} orders changed {first} – {last}</source>
        <translation>{shop}: {done}/{total} đơn thay đổi {first} – {last}</translation>
    </message>
    <message>
        <source>{shop}: {fetched} orders fetched, {new} new, {updated} updated, {unchanged} unchanged ({seconds} s)</source>
        <translation>{shop}: đã tải {fetched} đơn hàng, {new} mới, {updated} cập nhật, {unchanged} không đổi ({seconds} giây)</translation>
    </message>
    <message>
        <source>{shop}: {fetched} orders fetched, {new} new, {updated} updated, {unchanged} unchanged; {linked} listings linked to their marketplace ids ({seconds} s)</source>
        <translation>{shop}: đã tải {fetched} đơn hàng, {new} mới, {updated} cập nhật, {unchanged} không đổi; đã liên kết {linked} sản phẩm đăng bán với mã trên sàn ({seconds} giây)</translation>
    </message>
    <message>
        <source>{shop}: {id_label} {app_id}</source>
        <translation>{shop}: {id_label} {app_id}</translation>
    </message>
    <message>
        <source>{shop}: {items} listings read; {linked} linked now, {already} linked already, {created} products created, {unlinked} not linked; stock differs on {differs} variants.</source>
        <translation>{shop}: đã đọc {items} sản phẩm; {linked} vừa liên kết, {already} đã liên kết từ trước, {created} sản phẩm được tạo, {unlinked} chưa liên kết; tồn kho khác nhau ở {differs} phân loại.</translation>
    </message>
    <message>
        <source>{shop}: {reason}</source>
        <translation>{shop}: {reason}</translation>
    </message>
    <message>
        <source>{skus} already belong to other groups: a listing belongs to one group at most. Remove them from those groups first.</source>
        <translation>{skus} đã thuộc nhóm khác: mỗi sản phẩm chỉ thuộc tối đa một nhóm. Hãy bỏ khỏi các nhóm đó trước.</translation>
    </message>
    <message>
        <source>{skus} are not in group {code}.</source>
        <translation>{skus} không thuộc nhóm {code}.</translation>
    </message>
    <message>
        <source>{skus} share the stock of group {group}: count only one.</source>
        <translation>{skus} dùng chung tồn kho nhóm {group}: chỉ đếm một SKU.</translation>
    </message>
    <message>
        <source>{sku} (counted {counted}, {seen} on the sheet, {on_hand} on hand now: {after})</source>
        <translation>{sku} (đếm được {counted}, phiếu ghi {seen}, tồn hiện tại {on_hand}: thành {after})</translation>
    </message>
    <message>
        <source>{sku} ({left} left, {wanted} wanted)</source>
        <translation>{sku} (còn {left}, cần {wanted})</translation>
    </message>
    <message>
        <source>{sku} already belongs to group {code}: a listing belongs to one group at most. Remove it from {code} first.</source>
        <translation>{sku} đã thuộc nhóm {code}: mỗi sản phẩm chỉ thuộc tối đa một nhóm. Hãy bỏ khỏi nhóm {code} trước.</translation>
    </message>
    <message>
        <source>{sku} is held for open orders ({count}): ship or cancel them before removing it.</source>
        <translation>{sku} đang được giữ cho đơn chưa xong ({count}): hãy giao hoặc hủy các đơn đó trước khi xóa.</translation>
    </message>
    <message>
        <source>{sku} is not in group {code}.</source>
        <translation>{sku} không thuộc nhóm {code}.</translation>
    </message>
    <message>
        <source>{sku}: +{quantity} → {stock}, cost {old} → {new}</source>
        <translation>{sku}: +{quantity} → {stock}, giá vốn {old} → {new}</translation>
    </message>
    <message>
        <source>{sku}: +{quantity} → {stock}, cost {old} → {new} ({reason})</source>
        <translation>{sku}: +{quantity} → {stock}, giá vốn {old} → {new} ({reason})</translation>
    </message>
    <message>
        <source>{sku}: barcode {old} → {new}</source>
        <translation>{sku}: mã vạch {old} → {new}</translation>
    </message>
    <message>
        <source>{sku}: cost {old} → {new}</source>
        <translation>{sku}: giá vốn {old} → {new}</translation>
    </message>
    <message>
        <source>{sku}: discount price {old} → {new}</source>
        <translation>{sku}: giá khuyến mãi {old} → {new}</translation>
    </message>
    <message>
        <source>{sku}: low stock level {old} → {new}</source>
        <translation>{sku}: ngưỡng sắp hết hàng {old} → {new}</translation>
    </message>
    <message>
        <source>{sku}: low-stock level {before} → default</source>
        <translation>{sku}: ngưỡng sắp hết hàng {before} → mặc định</translation>
    </message>
    <message>
        <source>{sku}: low-stock level {before} → {level}</source>
        <translation>{sku}: ngưỡng sắp hết hàng {before} → {level}</translation>
    </message>
    <message>
        <source>{sku}: opening stock {stock}</source>
        <translation>{sku}: tồn kho đầu kỳ {stock}</translation>
    </message>
    <message>
        <source>{sku}: option1 {old} → {new}</source>
        <translation>{sku}: phân loại 1 {old} → {new}</translation>
    </message>
    <message>
        <source>{sku}: option2 {old} → {new}</source>
        <translation>{sku}: phân loại 2 {old} → {new}</translation>
    </message>
    <message>
        <source>{sku}: price {old} → {new}</source>
        <translation>{sku}: giá bán {old} → {new}</translation>
    </message>
    <message>
        <source>{sku}: sku {old} → {new}</source>
        <translation>{sku}: SKU {old} → {new}</translation>
    </message>
    <message>
        <source>{sku}: stock {old} → {new}</source>
        <translation>{sku}: tồn kho {old} → {new}</translation>
    </message>
    <message>
        <source>{sku}: weight {old} → {new}</source>
        <translation>{sku}: khối lượng {old} → {new}</translation>
    </message>
    <message>
        <source>{sku}: {problem}</source>
        <translation>{sku}: {problem}</translation>
    </message>
    <message>
        <source>{sku}: {problem}. No price was changed.</source>
        <translation>{sku}: {problem}. Chưa đổi giá nào.</translation>
    </message>
    <message>
        <source>{sku}: {problem}. Nothing was scheduled.</source>
        <translation>{sku}: {problem}. Chưa lên lịch gì.</translation>
    </message>
    <message>
        <source>{tag} ({count} customers)</source>
        <translation>{tag} ({count} khách hàng)</translation>
    </message>
    <message>
        <source>{tag}: tagged {added} of {count} customers</source>
        <translation>{tag}: gắn thẻ {added} trên {count} khách hàng</translation>
    </message>
    <message>
        <source>{tag}: untagged {removed} of {count} customers</source>
        <translation>{tag}: gỡ thẻ {removed} trên {count} khách hàng</translation>
    </message>
    <message>
        <source>{template} is not a template for the {document} (its templates: {templates}).</source>
        <translation>{template} không phải là mẫu in cho {document} (các mẫu của loại này: {templates}).</translation>
    </message>
    <message>
        <source>{text}: copies must be between 1 and {max}.</source>
        <translation>{text}: số tem phải từ 1 đến {max}.</translation>
    </message>
    <message>
        <source>{total} customers do not fit one Excel sheet ({limit} rows at most): narrow the filter, or export to .csv.</source>
        <translation>{total} khách hàng không vừa một trang Excel (tối đa {limit} dòng): hãy thu hẹp bộ lọc, hoặc xuất ra .csv.</translation>
    </message>
    <message>
        <source>{total} groups do not fit one Excel sheet.</source>
        <translation>{total} nhóm không vừa một trang Excel.</translation>
    </message>
    <message>
        <source>{total} is more than the order&apos;s items ({items}) and shipping fee ({shipping}) together: the export does not say what the difference is for; check the order in the Seller Center</source>
        <translation>{total} lớn hơn tiền hàng ({items}) cộng phí vận chuyển ({shipping}) của đơn: file xuất không cho biết phần chênh lệch là khoản gì; hãy kiểm tra đơn trên Seller Center</translation>
    </message>
    <message>
        <source>{total} orders do not fit one Excel sheet ({limit} rows at most): narrow the filter, e.g. by date.</source>
        <translation>{total} đơn hàng không vừa một trang Excel (tối đa {limit} dòng): hãy thu hẹp bộ lọc, ví dụ theo ngày.</translation>
    </message>
    <message>
        <source>{user} has no access to {module}: ask the shop owner.</source>
        <translation>{user} không có quyền truy cập {module}: hãy hỏi chủ cửa hàng.</translation>
    </message>
    <message>
        <source>{cell} differs from {first} on row {row} of the same order (order-level columns must agree)</source>
        <translation>{cell} khác với {first} ở dòng {row} của cùng đơn (các cột cấp đơn phải giống nhau)</translation>
    </message>
    <message>
        <source>{cell} differs from {first} on row {first_row} of the same product (product-level columns must agree)</source>
        <translation>{cell} khác với {first} ở dòng {first_row} của cùng sản phẩm (các cột cấp sản phẩm phải giống nhau)</translation>
    </message>
    <message>
        <source>{cell} has a thousands separator: write the plain number ({plain})</source>
        <translation>{cell} có dấu phân cách hàng nghìn: hãy ghi số không có dấu ({plain})</translation>
    </message>
    <message>
        <source>{path} is a folder, not a file.</source>
        <translation>{path} là thư mục, không phải tệp.</translation>
    </message>
    <message>
        <source>{cell} is a number, not a date: format the cell as a date or write YYYY-MM-DD or DD/MM/YYYY, optionally with HH:MM[:SS]</source>
        <translation>{cell} là số, không phải ngày: hãy định dạng ô là ngày hoặc ghi YYYY-MM-DD hay DD/MM/YYYY, có thể kèm HH:MM[:SS]</translation>
    </message>
    <message>
        <source>{cell} is not a date (use YYYY-MM-DD or DD/MM/YYYY, optionally with HH:MM[:SS])</source>
        <translation>{cell} không phải ngày (dùng YYYY-MM-DD hoặc DD/MM/YYYY, có thể kèm HH:MM[:SS])</translation>
    </message>
    <message>
        <source>{channel} is not a marketplace that shops can be linked to (one of: {choices}).</source>
        <translation>{channel} không phải sàn có thể liên kết gian hàng (một trong: {choices}).</translation>
    </message>
    <message>
        <source>{cell} is not a number</source>
        <translation>{cell} không phải là số</translation>
    </message>
    <message>
        <source>{phone} is not a phone number</source>
        <translation>{phone} không phải số điện thoại</translation>
    </message>
    <message>
        <source>{cell} is not a real date and time</source>
        <translation>{cell} không phải ngày giờ có thật</translation>
    </message>
    <message>
        <source>{action}: discarded</source>
        <translation>{action}: đã bỏ</translation>
    </message>
    <message>
        <source>{action}: queued again</source>
        <translation>{action}: đã xếp lại hàng chờ</translation>
    </message>
    <message>
        <source>{amount} is negative</source>
        <translation>{amount} là số âm</translation>
    </message>
    <message>
        <source>{cell} is not a whole number</source>
        <translation>{cell} không phải số nguyên</translation>
    </message>
    <message>
        <source>{cell} is not a whole number (not finite)</source>
        <translation>{cell} không phải số nguyên (không hữu hạn)</translation>
    </message>
    <message>
        <source>{data_dir} already holds a shop&apos;s data ({orders} orders, {products} products, {customers} customers, {suppliers} suppliers, {shops} other shops): demo data goes only into a new data dir. Choose another --data-dir.</source>
        <translation>{data_dir} đã có dữ liệu của một cửa hàng ({orders} đơn hàng, {products} sản phẩm, {customers} khách hàng, {suppliers} nhà cung cấp, {shops} cửa hàng khác): dữ liệu demo chỉ được tạo trong một thư mục dữ liệu mới. Hãy chọn --data-dir khác.</translation>
    </message>
    <message>
        <source>{data_dir} holds the shop “{shop}”, not the demo shop: --demo signs in without a password only to the demo shop it made itself. Open the app without --demo to sign in, or choose another --data-dir for the demo.</source>
        <translation>{data_dir} là dữ liệu của cửa hàng “{shop}”, không phải cửa hàng demo: --demo chỉ tự đăng nhập không cần mật khẩu vào cửa hàng demo do chính nó tạo ra. Hãy mở ứng dụng không kèm --demo để đăng nhập, hoặc chọn --data-dir khác cho bản demo.</translation>
    </message>
    <message>
        <source>{email} is not an email address</source>
        <translation>{email} không phải địa chỉ email</translation>
    </message>
    <message>
        <source>{file} is an orders export from this app (one row per order, no product lines): it cannot be imported back. To import orders, fill in the order template (primedist import template orders FILE, or Template… beside Import on the Orders tab).</source>
        <translation>{file} là tệp xuất đơn hàng của ứng dụng này (mỗi dòng một đơn hàng, không có dòng sản phẩm): không thể nhập lại. Để nhập đơn hàng, hãy điền vào tệp mẫu đơn hàng (primedist import template orders FILE, hoặc nút Tệp mẫu… bên cạnh Nhập tệp ở thẻ Đơn hàng).</translation>
    </message>
    <message>
        <source>{file}: unsupported file type {suffix}; use .xlsx, .csv or .txt</source>
        <translation>{file}: không hỗ trợ loại tệp {suffix}; hãy dùng .xlsx, .csv hoặc .txt</translation>
    </message>
    <message>
        <source>{name} has no {credentials} yet: add them first.</source>
        <translation>{name} chưa có {credentials}: hãy thêm trước.</translation>
    </message>
    <message>
        <source>{name} has no {credentials}: add them in Sales channels.</source>
        <translation>{name} chưa có {credentials}: hãy thêm trong Kênh bán hàng.</translation>
    </message>
    <message>
        <source>{name} is damaged or incomplete ({error}): copy it again from where the backup is kept, or choose another backup.</source>
        <translation>{name} bị hỏng hoặc chưa đầy đủ ({error}): hãy sao chép lại từ nơi lưu bản sao lưu, hoặc chọn bản sao lưu khác.</translation>
    </message>
    <message>
        <source>{new} for items of {old}: credit {credit}, given back {back}</source>
        <translation>{new} đổi hàng của {old}: trừ {credit} ₫, trả lại khách {back} ₫</translation>
    </message>
    <message>
        <source>{new} for items of {old}: credit {credit}, paid {to_pay}</source>
        <translation>{new} đổi hàng của {old}: trừ {credit} ₫, khách trả {to_pay} ₫</translation>
    </message>
    <message>
        <source>{summary}; vouchers switched off and ended, as they were only for it: {vouchers}</source>
        <translation>{summary}; đã tắt và cho hết hạn các mã giảm giá chỉ dành cho nó: {vouchers}</translation>
    </message>
    <message>
        <source>{variant}: {why}</source>
        <translation>{variant}: {why}</translation>
    </message>
    <message>
        <source>{what} {code} appears again on row {row}</source>
        <translation>{what} {code} lại xuất hiện ở dòng {row}</translation>
    </message>
    <message>
        <source>{what} {code} is also on row {first_row} (once per file)</source>
        <translation>{what} {code} cũng có ở dòng {first_row} (mỗi tệp chỉ một lần)</translation>
    </message>
    <message>
        <source>{whole}.{tenths}</source>
        <translation>{whole},{tenths}</translation>
    </message>
    <message>
        <source>{why} already belongs to {code} ({name})</source>
        <translation>{why} đã thuộc về {code} ({name})</translation>
    </message>
    <message>
        <source>{why} is already used by the customer of row {row}</source>
        <translation>{why} đã được dùng cho khách hàng ở dòng {row}</translation>
    </message>
    <message>
        <source>{why}: the customer of row {row}</source>
        <translation>{why}: khách hàng ở dòng {row}</translation>
    </message>
    <message>
        <source>{why}; {phones}</source>
        <translation>{why}; {phones}</translation>
    </message>
    <message>
        <source>“{name}” changes some of these products&apos; prices at the same time: choose other times or products.</source>
        <translation>“{name}” cũng đổi giá một số sản phẩm này trong cùng thời gian: hãy chọn thời gian hoặc sản phẩm khác.</translation>
    </message>
    <message>
        <source>“{name}” has started already: only a change still waiting can be edited.</source>
        <translation>“{name}” đã bắt đầu: chỉ sửa được chương trình chưa bắt đầu.</translation>
    </message>
    <message>
        <source>“{name}” is over already.</source>
        <translation>“{name}” đã kết thúc rồi.</translation>
    </message>
    <message>
        <source>“{product}” was deleted (archived) and cannot be edited.</source>
        <translation>“{product}” đã bị xóa (lưu trữ) nên không sửa được.</translation>
    </message>
    <message>
        <source>“{product}”: no change</source>
        <translation>“{product}”: không thay đổi</translation>
    </message>
    <message>
        <source>“{product}”: {changes}</source>
        <translation>“{product}”: {changes}</translation>
    </message>
    <message>
        <source>“{product}”: {count} variant(s) ({skus}), on no shop, {images} image(s)</source>
        <translation>“{product}”: {count} phân loại ({skus}), chưa đăng bán trên gian hàng nào, {images} ảnh</translation>
    </message>
    <message>
        <source>“{product}”: {count} variant(s) ({skus}), on {shops}, {images} image(s)</source>
        <translation>“{product}”: {count} phân loại ({skus}), trên {shops}, {images} ảnh</translation>
    </message>
</context>
<context>
    <name>shipments</name>
    <message>
        <source>Waiting for pickup</source>
        <extracomment>The carrier&apos;s statuses in the reader&apos;s language (GHN&apos;s own Vietnamese words in vi; J&amp;T&apos;s scans are mapped onto the same statuses).</extracomment>
        <translation>Chờ lấy hàng</translation>
    </message>
    <message>
        <source>Being picked up</source>
        <translation>Đang lấy hàng</translation>
    </message>
    <message>
        <source>With the sender</source>
        <translation>Đang tương tác với người gửi</translation>
    </message>
    <message>
        <source>Picked up</source>
        <translation>Lấy hàng thành công</translation>
    </message>
    <message>
        <source>At the warehouse</source>
        <translation>Nhập kho</translation>
    </message>
    <message>
        <source>In transit</source>
        <translation>Đang trung chuyển</translation>
    </message>
    <message>
        <source>Being sorted</source>
        <translation>Đang phân loại</translation>
    </message>
    <message>
        <source>Out for delivery</source>
        <translation>Đang giao hàng</translation>
    </message>
    <message>
        <source>With the recipient</source>
        <translation>Đang tương tác với người nhận</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Giao hàng thành công</translation>
    </message>
    <message>
        <source>Delivery failed</source>
        <translation>Giao hàng không thành công</translation>
    </message>
    <message>
        <source>Waiting to redeliver</source>
        <translation>Chờ xác nhận giao lại</translation>
    </message>
    <message>
        <source>Returning to the shop</source>
        <translation>Chuyển hoàn</translation>
    </message>
    <message>
        <source>Return in transit</source>
        <translation>Đang trung chuyển hàng hoàn</translation>
    </message>
    <message>
        <source>Return being sorted</source>
        <translation>Đang phân loại hàng hoàn</translation>
    </message>
    <message>
        <source>Being returned</source>
        <translation>Đang hoàn hàng</translation>
    </message>
    <message>
        <source>Return failed</source>
        <translation>Hoàn hàng không thành công</translation>
    </message>
    <message>
        <source>Returned to the shop</source>
        <translation>Hoàn hàng thành công</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Đã hủy</translation>
    </message>
    <message>
        <source>Exception</source>
        <translation>Hàng ngoại lệ</translation>
    </message>
    <message>
        <source>Lost</source>
        <translation>Hàng thất lạc</translation>
    </message>
    <message>
        <source>Damaged</source>
        <translation>Hàng hư hỏng</translation>
    </message>
</context>
<context>
    <name>staff</name>
    <message>
        <source>Products</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Đơn hàng</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>Khách hàng</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Cài đặt</translation>
    </message>
    <message>
        <source>Analytics</source>
        <translation>Phân tích</translation>
    </message>
    <message>
        <source>Refunds and returns</source>
        <translation>Hoàn tiền và trả hàng</translation>
    </message>
    <message>
        <source>Export data</source>
        <translation>Xuất dữ liệu</translation>
    </message>
    <message>
        <source>Only the owner may change the owner&apos;s or a manager&apos;s account.</source>
        <translation>Chỉ chủ cửa hàng được sửa tài khoản của chủ cửa hàng hoặc quản lý.</translation>
    </message>
</context>
<context>
    <name>stock</name>
    <message>
        <source>Stock in</source>
        <extracomment>The largest quantity the spin boxes accept: the stock services&apos; own cap.</extracomment>
        <translation>Nhập kho</translation>
    </message>
    <message>
        <source>Stock out</source>
        <translation>Xuất kho</translation>
    </message>
    <message>
        <source>Adjustment</source>
        <translation>Điều chỉnh</translation>
    </message>
    <message>
        <source>Stock-take</source>
        <translation>Kiểm kho</translation>
    </message>
    <message>
        <source>Sale</source>
        <translation>Bán hàng</translation>
    </message>
    <message>
        <source>Return</source>
        <translation>Trả hàng</translation>
    </message>
    <message>
        <source>Cancelled: back on the shelf</source>
        <translation>Hủy đơn: hàng về lại kho</translation>
    </message>
    <message>
        <source>Reserved by an order</source>
        <translation>Giữ hàng cho đơn</translation>
    </message>
    <message>
        <source>Reservation released</source>
        <translation>Bỏ giữ hàng</translation>
    </message>
    <message>
        <source>Opening stock</source>
        <extracomment>The reasons the app itself writes on movements (English in the ledger), shown in the reader&apos;s language: whole reasons, and &quot;prefix CODE…&quot; reasons.</extracomment>
        <translation>Tồn đầu kỳ</translation>
    </message>
    <message>
        <source>Counted: none left</source>
        <translation>Kiểm kho: hết hàng</translation>
    </message>
    <message>
        <source>Edited in the product form</source>
        <translation>Sửa trong biểu mẫu sản phẩm</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Nhập từ tệp</translation>
    </message>
    <message>
        <source>Joined group %1</source>
        <translation>Gộp vào nhóm %1</translation>
    </message>
    <message>
        <source>Left group %1</source>
        <translation>Rời nhóm %1</translation>
    </message>
    <message>
        <source>Goods receipt %1</source>
        <translation>Nhập hàng %1</translation>
    </message>
    <message>
        <source>Return to supplier %1</source>
        <translation>Trả hàng nhà cung cấp %1</translation>
    </message>
    <message>
        <source>%1 (group %2)</source>
        <extracomment>How the app&apos;s reasons name a document cancelled: &quot;Goods receipt PN000001 cancelled: why&quot;. A movement a deleted SKU group left to its listing ends &quot;… (group PS-1)&quot;: its &quot;on hand after&quot; was the group&apos;s (`sku_groups._keep_listing_movements`).</extracomment>
        <translation>%1 (nhóm %2)</translation>
    </message>
    <message>
        <source>%1 — not restocked</source>
        <translation>%1 — không nhập lại kho</translation>
    </message>
    <message>
        <source>%1 cancelled: %2</source>
        <translation>%1 đã hủy: %2</translation>
    </message>
    <message>
        <source>on hand %1 · reserved %2 · available %3</source>
        <translation>tồn kho %1 · đang giữ %2 · có thể bán %3</translation>
    </message>
    <message>
        <source>shared by group %1</source>
        <translation>dùng chung trong nhóm %1</translation>
    </message>
</context>
<context>
    <name>stocktake</name>
    <message>
        <source>SKU</source>
        <extracomment>The most a line&apos;s count can be (as `apply_stocktake` allows): more is a slip, or a barcode typed into the Counted cell. The columns of the confirmation&apos;s lines that change.</extracomment>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Barcode</source>
        <translation>Mã vạch</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Sản phẩm</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>Phân loại</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Nhóm SKU</translation>
    </message>
    <message>
        <source>On hand</source>
        <translation>Tồn kho</translation>
    </message>
    <message>
        <source>Counted</source>
        <translation>Thực tế</translation>
    </message>
    <message>
        <source>Difference</source>
        <translation>SL lệch</translation>
    </message>
    <message>
        <source>Difference value</source>
        <translation>Giá trị lệch</translation>
    </message>
    <message>
        <source>On hand now</source>
        <translation>Tồn hiện tại</translation>
    </message>
    <message>
        <source>Becomes</source>
        <translation>Tồn sau</translation>
    </message>
    <message>
        <source>Held for orders</source>
        <translation>Giữ cho đơn</translation>
    </message>
    <message>
        <source>Counts the stock of SKU group %1 (shared by its listings)</source>
        <extracomment>The confirmation&apos;s product column is at least this wide (a name, not &quot;…&quot;) and asks for no more (a longer name gives way, whole in its tooltip). A count under 1/FAR_BELOW_PART of an on hand of at least FAR_BELOW_STOCK is asked about before applying (1 counted of 140 reads as a slip, not as 139 lost). How many such lines the question names (the rest are counted). Room beside the widest SKU in its column (cell margins, a little air). A typed number: digits, maybe split by dots, commas or spaces (&quot;1.200&quot;, &quot;1,5&quot;, &quot;1 200&quot;). What may group a count&apos;s thousands: a dot, a comma, a space (plain, no-break, narrow). Emitted when a count changes (totals to refresh). A typed count was refused (the text typed). A barcode or SKU of the sheet was typed into a Counted cell (a scan while the sheet had the keys): counted as a scan, not as the count. &quot;37*code&quot; typed into a line&apos;s Counted cell named another line: that line was counted (its row, the code typed). SKU as written → line; SKU case-folded → line (a scan in another case).</extracomment>
        <translation>Kiểm tồn kho của nhóm SKU %1 (dùng chung cho các SKU trong nhóm)</translation>
    </message>
    <message>
        <source>Lines counted: %1 · differing: %2 · units: %3 · value: %4</source>
        <translation>Đã đếm: %1 dòng · lệch: %2 dòng · SL lệch: %3 · giá trị lệch: %4</translation>
    </message>
    <message>
        <source>Apply the stock-take</source>
        <translation>Cân bằng kho</translation>
    </message>
    <message>
        <source>The on-hand stock of the %1 counted lines becomes what you counted (%2 of them change). Lines you did not count keep their stock.</source>
        <translation>Tồn kho của %1 dòng đã đếm sẽ được cập nhật theo số thực tế (%2 dòng có thay đổi). Những dòng chưa đếm giữ nguyên tồn kho.</translation>
    </message>
    <message>
        <source>The stock of the %1 counted lines changes by the difference you counted against the sheet (%2 of them change), not to the number counted. Lines you did not count keep their stock.</source>
        <translation>Tồn kho của %1 dòng đã đếm được cộng/trừ theo phần chênh lệch so với phiếu kiểm (%2 dòng có thay đổi), không đặt bằng số thực tế. Những dòng chưa đếm giữ nguyên tồn kho.</translation>
    </message>
    <message>
        <source>The stock of %1 counted lines changed since the sheet was loaded (sales, goods in): the difference you counted is added to their stock as it is now, so those changes are kept.</source>
        <extracomment>Shown when the stock of counted lines moved since the sheet was loaded.</extracomment>
        <translation>Tồn kho của %1 dòng đã đếm đã thay đổi từ lúc tải phiếu kiểm (bán hàng, nhập hàng): phần chênh lệch bạn đếm được cộng vào tồn kho hiện tại, nên các thay đổi đó vẫn được giữ.</translation>
    </message>
    <message>
        <source>%1 lines would end below 0: more went out of them while they were counted than was counted missing. Cancel, then count just those lines again: they will show their stock as it is now, with an empty count. Your other counts are kept.</source>
        <translation>%1 dòng sẽ bị tồn dưới 0: hàng xuất đi trong lúc đếm nhiều hơn số đếm thiếu. Hãy bấm Hủy rồi chỉ đếm lại những dòng đó: chúng sẽ hiện tồn kho hiện tại, ô thực tế để trống. Các số đã đếm khác vẫn được giữ.</translation>
    </message>
    <message>
        <source>%1 lines end below what open orders hold of them: those orders cannot all be packed until more comes in.</source>
        <extracomment>Lines that would end below 0 (refused by the service): nothing can be applied.</extracomment>
        <translation>%1 dòng còn ít hơn số đang giữ cho các đơn chưa xong: chưa thể đóng gói hết các đơn đó cho đến khi nhập thêm hàng.</translation>
    </message>
    <message>
        <source>Reason (required), e.g. Kiểm kê cuối tháng</source>
        <extracomment>Lines that end below what open orders hold (a warning: applied all the same).</extracomment>
        <translation>Lý do (bắt buộc), ví dụ: Kiểm kho cuối tháng</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Cân bằng kho</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Below 0: count it again</source>
        <translation>Dưới 0: hãy đếm lại</translation>
    </message>
    <message>
        <source>Below the %1 held for open orders</source>
        <translation>Thấp hơn %1 đang giữ cho các đơn chưa xong</translation>
    </message>
    <message>
        <source>%1: counted %2, in stock %3</source>
        <translation>%1: đếm được %2, tồn kho %3</translation>
    </message>
    <message>
        <source>… and %n more line</source>
        <translation>… và %n dòng khác</translation>
    </message>
    <message>
        <source>… and %n more lines</source>
        <translation>… và %n dòng khác</translation>
    </message>
    <message>
        <source>%1 lines are counted at under a tenth of their stock:</source>
        <translation>%1 dòng có số đếm chưa tới một phần mười tồn kho:</translation>
    </message>
    <message>
        <source>Applying takes the difference off the stock. Are these counts right?</source>
        <translation>Cân bằng kho sẽ trừ phần chênh lệch khỏi tồn kho. Các số đếm này có đúng không?</translation>
    </message>
    <message>
        <source>Counts far below the stock</source>
        <translation>Số đếm thấp hơn nhiều so với tồn kho</translation>
    </message>
    <message>
        <source>Load a new count sheet</source>
        <translation>Tải phiếu kiểm kho mới</translation>
    </message>
    <message>
        <source>Discard the counts of %1 lines?</source>
        <translation>Bỏ số đếm của %1 dòng?</translation>
    </message>
</context>
</TS>
